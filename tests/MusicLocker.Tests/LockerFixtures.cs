using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Storage;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Storage.InMemory;
using MusicLocker.Metadata.Postgres;
using MusicLocker.Metadata.Tests.Servers;
using MusicLocker.Storage.Azure;
using MusicLocker.Storage.S3;
using MusicLocker.Storage.S3.Tests;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Tests;

/// <summary>The committed audio fixtures (tests/fixtures, made by make-fixtures.sh).</summary>
internal static class AudioFiles
{
    public static string Root => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures");

    public static string Mp3(string name) => Path.Combine(Root, "mp3", name);

    public static string M4a(string name) => Path.Combine(Root, "m4a", name);

    public static string Aac(string name) => Path.Combine(Root, "aac", name);

    public static string Other(string name) => Path.Combine(Root, "other", name);

    /// <summary>A copy of <paramref name="source"/> in <paramref name="folder"/> with one byte of its leading ID3v2 tag's text changed: same audio, other tags.</summary>
    public static string Retagged(string source, string folder, string find, string replace)
    {
        byte[] bytes = File.ReadAllBytes(source);
        byte[] needle = System.Text.Encoding.Latin1.GetBytes(find);
        int at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at > 0, $"'{find}' is not in {source}");
        System.Text.Encoding.Latin1.GetBytes(replace).CopyTo(bytes, at);
        string path = Path.Combine(folder, "retagged-" + Path.GetFileName(source));
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

/// <summary>One locker under test, with its parts reachable so tests can check storage and ledger directly.</summary>
internal sealed class LockerUnderTest : IAsyncDisposable
{
    private readonly List<object> _owned = [];

    private LockerUnderTest(string folder, ManualTimeProvider clock)
    {
        Folder = folder;
        Clock = clock;
    }

    public string Folder { get; }

    public ManualTimeProvider Clock { get; }

    public IBlobStore Storage { get; private set; } = null!;

    public ILockerMetadataStore Metadata { get; private set; } = null!;

    public ILocker Locker { get; private set; } = null!;

    public MusicLockerOptions Options { get; private set; } = null!;

    /// <summary>File-system or in-memory storage (optionally wrapped), SQLite in <paramref name="folder"/>, a key ring there.</summary>
    public static async Task<LockerUnderTest> OpenAsync(string folder, StorageKind kind, ManualTimeProvider? clock = null, Func<IBlobStore, IBlobStore>? wrap = null, Action<MusicLockerOptions>? configure = null, IBlobStore? shared = null, PostgresServer? postgres = null)
    {
        clock ??= new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var test = new LockerUnderTest(folder, clock);
        var options = new MusicLockerOptions { PartSize = 16 * 1024, TimeProvider = clock };
        configure?.Invoke(options);
        test.Options = options;
        IBlobStore storage = shared ?? kind switch
        {
            StorageKind.FileSystem => new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(folder, "blobs"), TimeProvider = clock }),
            StorageKind.Azure => await NewAzureStoreAsync(),
            StorageKind.S3 => await NewS3StoreAsync(),
            _ => new InMemoryBlobStore(),
        };
        if (shared is null)
        {
            test._owned.Add(storage);
        }

        test.Storage = storage;
        test.Metadata = postgres is null
            ? await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = Path.Combine(folder, "locker.db"), TimeProvider = clock })
            : await OpenPostgresAsync(postgres, clock);
        test._owned.Add(test.Metadata);
        string ringPath = Path.Combine(folder, "keyring.json");
        var ringOptions = new LocalKeyRingOptions { Path = ringPath, TimeProvider = clock };
        var ring = File.Exists(ringPath) ? await LocalKeyRing.OpenAsync(ringOptions) : await LocalKeyRing.CreateAsync(ringOptions);
        test._owned.Add(ring);
        test.Locker = global::MusicLocker.Locker.Create(wrap is null ? storage : wrap(storage), test.Metadata, ring, options);
        return test;
    }

    /// <summary>A fresh database on the run's PostgreSQL (skips when it is not installed, fails under CI).</summary>
    private static async Task<ILockerMetadataStore> OpenPostgresAsync(PostgresServer server, TimeProvider clock)
    {
        TestEnvironment.RequireServer(server.Available, server.UnavailableReason);
        string connectionString = await server.CreateDatabaseAsync("locker");
        return await PostgresMetadataStore.OpenAsync(new PostgresMetadataStoreOptions { ConnectionString = connectionString, TimeProvider = clock }, TestContext.Current.CancellationToken);
    }

    /// <summary>A store over a fresh container of the shared Azurite (skips when it cannot start, fails under CI).</summary>
    private static async Task<IBlobStore> NewAzureStoreAsync()
    {
        var server = await AzuriteServer.GetSharedAsync();
        var store = new AzureBlobStore(new AzureBlobStoreOptions
        {
            ServiceUri = server.BlobEndpoint,
            AccountName = AzuriteServer.AccountName,
            AccountKey = AzuriteServer.AccountKey,
            ContainerName = "l" + Guid.NewGuid().ToString("N"),
            RetryDelay = TimeSpan.FromMilliseconds(50),

            // Azurite 3.37.0 refuses the SDK's default service version; pin the newest it accepts (as the Azure tests do).
            ServiceVersion = Azure.Storage.Blobs.BlobClientOptions.ServiceVersion.V2025_01_05,
        });
        await store.CreateContainerIfNotExistsAsync(TestContext.Current.CancellationToken);
        return store;
    }

    /// <summary>A store over a fresh bucket of the shared s3rver (skips when node is missing, fails under CI).</summary>
    internal static async Task<IBlobStore> NewS3StoreAsync()
    {
        var server = await S3rverServer.GetSharedAsync();
        return new PartLedgerBlobStore(new S3BlobStore(S3TestStores.Options(server, await S3TestStores.CreateBucketAsync(server))));
    }

    /// <summary>Every object key under <c>users/</c> in the store.</summary>
    public async Task<List<string>> UserObjectsAsync(string prefix = "users/")
    {
        var keys = new List<string>();
        await foreach (var item in Storage.ListAsync(prefix))
        {
            keys.Add(item.Key.Value);
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        await Locker.DisposeAsync();
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            switch (_owned[i])
            {
                case IAsyncDisposable d:
                    await d.DisposeAsync();
                    break;
                case IDisposable d:
                    d.Dispose();
                    break;
            }
        }
    }
}

public enum StorageKind
{
    FileSystem = 0,
    InMemory,
    Azure,
    S3,
}

/// <summary>
/// A test class with a fresh file-system locker (<see cref="LockerUnderTest"/>, manual clock) in its own temp folder for
/// each test, disposed after it. Override <see cref="Configure"/> to set options (loggers, notifiers).
/// </summary>
public abstract class FileSystemLockerTest : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    /// <summary>The test's folder (the locker lives below it; a test may use the rest).</summary>
    private protected string FolderPath => _folder.Path;

    private protected LockerUnderTest Test { get; private set; } = null!;

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Test = await LockerUnderTest.OpenAsync(_folder.Path, StorageKind.FileSystem, configure: Configure);

    public async ValueTask DisposeAsync()
    {
        await Test.DisposeAsync();
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sets the locker's options before it opens; nothing by default.</summary>
    private protected virtual void Configure(MusicLockerOptions options)
    {
    }
}
