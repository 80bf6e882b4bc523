using MusicLocker.Diagnostics;

namespace MusicLocker.Internal;

/// <summary>The locker: per-user views over one shared, immutable <see cref="LockerCore"/>.</summary>
internal sealed class LockerService : ILocker
{
    private readonly LockerCore _core;
    private readonly IReadOnlyList<object> _owned;
    private int _disposed;

    public LockerService(LockerCore core, IReadOnlyList<object> owned)
    {
        _core = core;
        _owned = owned;
    }

    public IUserLocker ForUser(string userId)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        LockerKeys.ValidateUserId(userId);
        return new UserLocker(_core, userId);
    }

    public Task<LockerSweepResult> SweepAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return LockerTelemetry.TraceAsync("sweep", null, async activity =>
        {
            activity?.SetTag("musiclocker.sweep", "maintenance");
            var result = await LockerErrors.Guard(() => new LockerSweeper(_core).RunAsync(cancellationToken)).ConfigureAwait(false);
            LockerLog.Swept(_core.Logger, result.StaleUploads, result.OrphanObjects);
            return result;
        });
    }

    public Task<RetentionSweepResult> SweepRetentionAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return LockerTelemetry.TraceAsync("sweep", null, activity =>
        {
            activity?.SetTag("musiclocker.sweep", "retention");
            return LockerErrors.Guard(() => new RetentionSweeper(_core).RunAsync(cancellationToken));
        });
    }

    public Task<ReconcileReport> ReconcileAsync(string userId, ReconcileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        LockerKeys.ValidateUserId(userId);
        var settings = ReconcileSettings(options);
        return LockerTelemetry.TraceAsync("reconcile", userId, _ => LockerErrors.Guard(() => new Reconciler(_core, userId, settings).RunAsync(cancellationToken)));
    }

    public IAsyncEnumerable<ReconcileReport> ReconcileAllAsync(ReconcileOptions? options = null, IProgress<ReconcileProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var settings = ReconcileSettings(options);
        return LockerErrors.Guard(new LockerReconciler(_core, settings, progress).RunAsync(cancellationToken), cancellationToken);
    }

    private static ReconcileOptions ReconcileSettings(ReconcileOptions? options)
    {
        var settings = options ?? new ReconcileOptions();
        if (settings.MinimumAge < TimeSpan.FromMinutes(1))
        {
            LockerErrors.ThrowInvalidArgument("options.MinimumAge", $"must be at least one minute (got {settings.MinimumAge}).");
        }

        return settings;
    }

    public Task<string?> FindApiKeyUserAsync(string apiKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(apiKey);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!apiKey.StartsWith(UserAccess.ApiKeyPrefix, StringComparison.Ordinal) || apiKey.Length > 128)
        {
            return Task.FromResult<string?>(null);
        }

        return LockerErrors.Guard(async () =>
            (await _core.Metadata.Credentials.FindApiKeyAsync(UserAccess.HashApiKey(apiKey), cancellationToken).ConfigureAwait(false))?.UserId);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await DisposeAllAsync(_owned).ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Disposes what the locker opened, last opened first.</summary>
    internal static async Task DisposeAllAsync(IReadOnlyList<object> owned)
    {
        for (int i = owned.Count - 1; i >= 0; i--)
        {
            switch (owned[i])
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
