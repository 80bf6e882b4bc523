using System.Reflection;
using System.Runtime.ExceptionServices;
using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Storage;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>
/// The metadata store fails at each step of an upload (reserve, session record, progress record, catalogue + commit,
/// the tidy-up after it), as an unreachable database would or with a permanent error. Each run ends, once reservations
/// expire and the sweep ran, with the whole track or nothing, and ledger == storage.
/// </summary>
public sealed class MetadataFaultTests
{
    public static TheoryData<string, int, bool> Steps() => new()
    {
        { "IQuotaLedger.ReserveAsync", 1, true },
        { "IUploadSessionStore.CreateAsync", 1, true },
        { "IUploadSessionStore.CreateAsync", 1, false },
        { "IUploadSessionStore.UpdateAsync", 1, true },
        { "IUploadSessionStore.UpdateAsync", 1, false }, // checkpoints run behind the parts and coalesce: only the first is sure to come
        { "ITrackCatalog.AddTrackIfNewAudioAsync", 1, true },
        { "ITrackCatalog.AddTrackIfNewAudioAsync", 1, false },
        { "IUploadSessionStore.DeleteAsync", 1, true },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_metadata_fault_at_any_step_ends_in_the_whole_track_or_nothing_and_ledger_equals_storage(string step, int nth, bool transient)
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new MusicLockerOptions { PartSize = 16 * 1024, TimeProvider = clock };
        using var storage = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(folder.Path, "blobs"), TimeProvider = clock });
        await using var sql = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = Path.Combine(folder.Path, "locker.db"), TimeProvider = clock }, ct);
        using var ring = await LocalKeyRing.CreateAsync(new LocalKeyRingOptions { Path = Path.Combine(folder.Path, "keyring.json"), TimeProvider = clock }, ct);
        var faults = new MetadataFaults(step, nth, transient);
        var locker = global::MusicLocker.Locker.Create(storage, new FaultyMetadataStore(sql, faults), ring, options, sql.UserKeys);
        await using var _ = locker;
        var user = locker.ForUser("alice");
        string path = AudioFiles.Mp3("id3v23-unsync.mp3"); // 3 parts
        byte[] original = await File.ReadAllBytesAsync(path, ct);

        UploadResult? result = null;
        try
        {
            result = await user.Uploads.UploadFileAsync(path, cancellationToken: ct);
        }
        catch (LockerException ex)
        {
            Assert.True(ex.ErrorCode is LockerErrorCode.Unavailable or LockerErrorCode.Unknown, $"{step}: {ex.ErrorCode} {ex.Message}");
        }

        Assert.True(faults.Fired, $"{step} #{nth} was never called");
        clock.Advance(options.StaleUploadAge + options.ReservationLifetime + TimeSpan.FromMinutes(1));
        await locker.SweepAsync(ct);

        var objects = new List<string>();
        await foreach (var item in storage.ListAsync("users/", ct))
        {
            objects.Add(item.Key.Value);
        }

        bool stored = await LedgerCheck.WholeTrackOrNothingAsync(user, objects, original, $"{step} #{nth}");
        Assert.Equal(result is not null, stored);
    }
}

/// <summary>Which call fails: the <c>nth</c> call of <c>Interface.Method</c>, once.</summary>
internal sealed class MetadataFaults(string step, int nth, bool transient)
{
    private int _calls;

    public bool Fired { get; private set; }

    public void Check(string call)
    {
        if (call == step && Interlocked.Increment(ref _calls) == nth)
        {
            Fired = true;
            throw new LockerMetadataException(transient ? MetadataErrorCode.Unavailable : MetadataErrorCode.Unknown, $"injected fault in {call} #{nth}");
        }
    }
}

/// <summary>The SQLite store with every call of its parts passing through <see cref="MetadataFaults"/>.</summary>
internal sealed class FaultyMetadataStore(MusicLocker.Metadata.Sql.SqlMetadataStore inner, MetadataFaults faults) : ILockerMetadataStore
{
    public IUserDirectory Users { get; } = FaultProxy<IUserDirectory>.Wrap(inner.Users, faults);

    public ITrackCatalog Tracks { get; } = FaultProxy<ITrackCatalog>.Wrap(inner.Tracks, faults);

    public IPlaylistStore Playlists { get; } = FaultProxy<IPlaylistStore>.Wrap(inner.Playlists, faults);

    public IListeningHistory History { get; } = FaultProxy<IListeningHistory>.Wrap(inner.History, faults);

    public IQuotaLedger Quota { get; } = FaultProxy<IQuotaLedger>.Wrap(inner.Quota, faults);

    public IUploadSessionStore UploadSessions { get; } = FaultProxy<IUploadSessionStore>.Wrap(inner.UploadSessions, faults);

    public ILibraryCatalog Library { get; } = FaultProxy<ILibraryCatalog>.Wrap(inner.Library, faults);

    public IAnnotationStore Annotations { get; } = FaultProxy<IAnnotationStore>.Wrap(inner.Annotations, faults);

    public IAccessCredentialStore Credentials { get; } = FaultProxy<IAccessCredentialStore>.Wrap(inner.Credentials, faults);

    public ITrackCoverStore Covers { get; } = FaultProxy<ITrackCoverStore>.Wrap(inner.Covers, faults);

    public QuotaPlanCatalog Plans => inner.Plans;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Forwards an interface's calls, asking <see cref="MetadataFaults"/> first.</summary>
public class FaultProxy<T> : DispatchProxy
    where T : class
{
    private T _inner = null!;
    private MetadataFaults _faults = null!;

    internal static T Wrap(T inner, MetadataFaults faults)
    {
        var proxy = Create<T, FaultProxy<T>>();
        var self = (FaultProxy<T>)(object)proxy;
        self._inner = inner;
        self._faults = faults;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        _faults.Check(typeof(T).Name + "." + targetMethod!.Name);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
