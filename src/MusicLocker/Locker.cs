using MusicLocker.Crypto;
using MusicLocker.Internal;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Storage;
using MusicLocker.Storage.FileSystem;

namespace MusicLocker;

/// <summary>Opens a locker without a DI container.</summary>
public static class Locker
{
    /// <summary>The database file of the embedded default, inside its folder.</summary>
    public const string EmbeddedDatabaseFile = "locker.db";

    /// <summary>The key ring file of the embedded default, inside its folder.</summary>
    public const string EmbeddedKeyRingFile = "keyring.json";

    /// <summary>The blob folder of the embedded default, inside its folder.</summary>
    public const string EmbeddedBlobFolder = "objects";

    /// <summary>
    /// Opens (creating when missing) the embedded default in <paramref name="folder"/>: file-system object store
    /// (<c>objects/</c>), SQLite catalog and quota ledger (<c>locker.db</c>) and a local key ring (<c>keyring.json</c>, mode
    /// 0600), encrypted unless <paramref name="options"/> says otherwise. Dispose the locker to close them.
    /// </summary>
    public static async Task<ILocker> OpenEmbeddedAsync(string folder, MusicLockerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var settings = Validated(options);
        string root = Path.GetFullPath(folder);
        var parts = new List<object>();
        try
        {
            var storage = OpenFileSystemStorage(Path.Combine(root, EmbeddedBlobFolder), settings);
            parts.Add(storage);
            var metadata = await OpenSqliteAsync(Path.Combine(root, EmbeddedDatabaseFile), settings, cancellationToken).ConfigureAwait(false);
            parts.Add(metadata);
            IMasterKeyProvider? keys = null;
            if (settings.Encrypt)
            {
                var ring = await OpenKeyRingAsync(Path.Combine(root, EmbeddedKeyRingFile), settings, cancellationToken).ConfigureAwait(false);
                parts.Add(ring);
                keys = ring;
            }

            return new LockerService(new LockerCore(storage, metadata, keys, settings), parts);
        }
        catch
        {
            await LockerService.DisposeAllAsync(parts).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates a locker over parts the app opened itself (any object store, any metadata store, any master key provider).
    /// User key records go to <paramref name="userKeys"/>, else to the metadata store's own (the SQL stores have one),
    /// else beside the blobs. The locker does not dispose the parts.
    /// </summary>
    public static ILocker Create(IBlobStore storage, ILockerMetadataStore metadata, IMasterKeyProvider? masterKeys, MusicLockerOptions? options = null, IUserKeyStore? userKeys = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(metadata);
        return new LockerService(new LockerCore(storage, metadata, masterKeys, Validated(options), userKeys), []);
    }

    internal static MusicLockerOptions Validated(MusicLockerOptions? options)
    {
        var copy = (options ?? new MusicLockerOptions()).Copy();
        if (copy.FindError("MusicLocker") is { } error)
        {
            throw new LockerException(LockerErrorCode.InvalidArgument, error);
        }

        return copy;
    }

    internal static FileSystemBlobStore OpenFileSystemStorage(string path, MusicLockerOptions settings) =>
        new(new FileSystemBlobStoreOptions { RootPath = path, TimeProvider = settings.TimeProvider ?? TimeProvider.System });

    internal static async Task<ILockerMetadataStore> OpenSqliteAsync(string path, MusicLockerOptions settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return await LockerErrors.Guard(() => SqliteMetadataStore.OpenAsync(
            new SqliteMetadataStoreOptions
            {
                DatabasePath = path,
                ReservationLifetime = settings.ReservationLifetime,
                TimeProvider = settings.TimeProvider ?? TimeProvider.System,
            },
            cancellationToken)).ConfigureAwait(false);
    }

    internal static async Task<LocalKeyRing> OpenKeyRingAsync(string path, MusicLockerOptions settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var ringOptions = new LocalKeyRingOptions { Path = path, TimeProvider = settings.TimeProvider };
        return await LockerErrors.Guard(async () =>
        {
            if (File.Exists(path))
            {
                return await LocalKeyRing.OpenAsync(ringOptions, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                return await LocalKeyRing.CreateAsync(ringOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (EncryptionException) when (File.Exists(path))
            {
                // Another process created it between our check and our create: open theirs.
                return await LocalKeyRing.OpenAsync(ringOptions, cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }
}
