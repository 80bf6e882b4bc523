using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace MusicLocker.Metadata.Quota;

/// <summary>
/// The plans an app sells, as data: the store looks a user's plan up here by id. The default catalog is the one the
/// Amazon locker had: Free 5 GB, then 20, 50, 100, 200, 500 and 1,000 GB (decimal gigabytes, 10^9 bytes, as storage is sold).
/// </summary>
public sealed class QuotaPlanCatalog
{
    private const long Gigabyte = 1_000_000_000L;

    private readonly Dictionary<string, QuotaPlan> _byId;

    /// <summary>Creates a catalog from an app's own plans.</summary>
    /// <param name="plans">The plans; ids must be unique.</param>
    /// <param name="defaultPlanId">The plan new users get; must be one of <paramref name="plans"/>.</param>
    public QuotaPlanCatalog(IEnumerable<QuotaPlan> plans, string defaultPlanId)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentException.ThrowIfNullOrEmpty(defaultPlanId);
        _byId = new Dictionary<string, QuotaPlan>(StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            ArgumentNullException.ThrowIfNull(plan, nameof(plans));
            if (!_byId.TryAdd(plan.Id, plan))
            {
                throw new ArgumentException($"The plan id '{plan.Id}' appears twice.", nameof(plans));
            }
        }

        if (!_byId.ContainsKey(defaultPlanId))
        {
            throw new ArgumentException($"The default plan '{defaultPlanId}' is not one of the plans given.", nameof(defaultPlanId));
        }

        DefaultPlanId = defaultPlanId;
        Plans = new ReadOnlyCollection<QuotaPlan>([.. _byId.Values]);
    }

    /// <summary>Free 5 GB (the default), 20, 50, 100, 200, 500 and 1,000 GB.</summary>
    public static QuotaPlanCatalog Default { get; } = new(
        [
            new QuotaPlan("free", "Free 5 GB", 5 * Gigabyte),
            new QuotaPlan("gb-20", "20 GB", 20 * Gigabyte),
            new QuotaPlan("gb-50", "50 GB", 50 * Gigabyte),
            new QuotaPlan("gb-100", "100 GB", 100 * Gigabyte),
            new QuotaPlan("gb-200", "200 GB", 200 * Gigabyte),
            new QuotaPlan("gb-500", "500 GB", 500 * Gigabyte),
            new QuotaPlan("gb-1000", "1,000 GB", 1000 * Gigabyte),
        ],
        "free");

    /// <summary>The id of the plan new users get.</summary>
    public string DefaultPlanId { get; }

    /// <summary>The plans, in the order given.</summary>
    public IReadOnlyList<QuotaPlan> Plans { get; }

    /// <summary>The plan with this id.</summary>
    /// <exception cref="MetadataNotFoundException">
    /// With <see cref="MetadataEntity.QuotaPlan"/>: no plan has the id (e.g. a plan the app no longer sells). Stores do not
    /// throw this for a user stored on such a plan: see <see cref="IQuotaLedger"/>.
    /// </exception>
    public QuotaPlan Get(string planId) => TryGet(planId, out var plan)
        ? plan
        : throw new MetadataNotFoundException(MetadataEntity.QuotaPlan, planId ?? string.Empty, message: $"No quota plan has the id '{planId}'. Known plans: {string.Join(", ", _byId.Keys)}.");

    /// <summary>The plan with this id, when the catalog defines it.</summary>
    public bool TryGet(string planId, [MaybeNullWhen(false)] out QuotaPlan plan)
    {
        if (planId is null)
        {
            plan = null;
            return false;
        }

        return _byId.TryGetValue(planId, out plan);
    }

    /// <summary>Whether a plan has this id.</summary>
    public bool Contains(string planId) => planId is not null && _byId.ContainsKey(planId);
}
