using MusicLocker.Metadata;
using MusicLocker.Testing;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>
/// The behaviour every <see cref="ILockerMetadataStore"/> must have. A provider's test class only says how to open a
/// store; every test gets a fresh, empty database, and <see cref="OpenAnotherAsync"/> opens further instances on that
/// same database (what several app instances, or several connections, look like).
/// </summary>
public abstract partial class MetadataStoreConformance : IAsyncLifetime
{
    protected static readonly TimeSpan ReservationLifetime = TimeSpan.FromMinutes(30);

    private readonly List<ILockerMetadataStore> _opened = [];
    private ILockerMetadataStore? _store;

    protected ManualTimeProvider Time { get; } = new();

    /// <summary>The store under test (skips the test, or fails it under CI, when the provider's server is missing).</summary>
    protected ILockerMetadataStore Store
    {
        get
        {
            if (_store is null)
            {
                MusicLocker.Testing.TestEnvironment.RequireServer(false, UnavailableReason ?? "the store could not be opened");
            }

            return _store!;
        }
    }

    /// <summary>Why the provider cannot run here, or <see langword="null"/> when it can.</summary>
    protected virtual string? UnavailableReason => null;

    /// <summary>Prepares a fresh, empty database for one test.</summary>
    protected abstract Task CreateDatabaseAsync();

    /// <summary>Opens a store instance on this test's database.</summary>
    protected abstract Task<ILockerMetadataStore> OpenStoreAsync(LockerMetadataOptions settings);

    /// <summary>Removes this test's database.</summary>
    protected abstract ValueTask DeleteDatabaseAsync();

    protected async Task<ILockerMetadataStore> OpenAnotherAsync(QuotaPlanCatalog? plans = null)
    {
        var store = await OpenStoreAsync(new LockerMetadataOptions
        {
            Plans = plans ?? QuotaPlanCatalog.Default,
            ReservationLifetime = ReservationLifetime,
            TimeProvider = Time,
        });
        _opened.Add(store);
        return store;
    }

    public async ValueTask InitializeAsync()
    {
        if (UnavailableReason is not null)
        {
            return;
        }

        await CreateDatabaseAsync();
        _store = await OpenAnotherAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        if (UnavailableReason is null)
        {
            await DeleteDatabaseAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected async Task<string> NewUserAsync(string id = "alice", string? plan = null)
    {
        await Store.Users.EnsureAsync(id, plan, Ct);
        return id;
    }

    protected static NewTrack Track(
        string title,
        string? artist = null,
        string? album = null,
        long size = 1_000,
        string? hash = null,
        bool purchased = false,
        string? genre = null,
        int? trackNumber = null,
        int? disc = null,
        string? albumArtist = null,
        string? storageKey = null)
    {
        hash ??= "h-" + Guid.NewGuid().ToString("N");
        return new NewTrack(
            new TrackTags(title, artist, album, albumArtist, genre, 2001, trackNumber, null, disc, null),
            TimeSpan.FromSeconds(180.5),
            "mp3",
            192,
            size,
            hash,
            "a-" + hash,
            purchased,
            storageKey ?? "~/" + hash);
    }

    protected async Task<TrackRecord> AddAsync(string userId, NewTrack track, Guid? reservation = null) =>
        await Store.Tracks.AddTrackAsync(userId, Owned(userId, track), reservation, Ct);

    /// <summary>The track with its storage key under the user's own prefix: <c>~/</c> in a key stands for <c>users/{userId}/</c>.</summary>
    protected static NewTrack Owned(string userId, NewTrack track) =>
        track.StorageKey.StartsWith("~/", StringComparison.Ordinal) ? track with { StorageKey = KeyOf(userId, track.StorageKey[2..]) } : track;

    /// <summary>A storage key under the user's own prefix.</summary>
    protected static string KeyOf(string userId, string rest) => $"users/{userId}/{rest}";

    protected static List<string> Titles(IEnumerable<TrackRecord> tracks) => tracks.Select(t => t.Tags.Title).ToList();

    /// <summary>Starts <paramref name="count"/> calls on the thread pool at one moment (a gate) and waits for them all.</summary>
    protected static async Task<T[]> TogetherAsync<T>(int count, Func<int, Task<T>> call)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            return await call(i);
        }, Ct)).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks);
    }

    /// <summary>Reads every page of a listing, checking no item appears twice.</summary>
    protected static async Task<List<T>> AllPagesAsync<T>(Func<string?, Task<Page<T>>> page)
    {
        var all = new List<T>();
        string? cursor = null;
        int pages = 0;
        do
        {
            var next = await page(cursor);
            all.AddRange(next.Items);
            cursor = next.NextCursor;
            Assert.True(++pages < 10_000, "paging does not end");
        }
        while (cursor is not null);

        return all;
    }
}
