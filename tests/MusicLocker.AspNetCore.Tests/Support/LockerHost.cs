using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MusicLocker.Crypto;
using MusicLocker.Metadata.Sqlite;
using MusicLocker.Storage;
using MusicLocker.Storage.Azure;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Storage.InMemory;
using MusicLocker.Storage.S3;
using MusicLocker.Storage.S3.Tests;
using MusicLocker.Streaming;
using MusicLocker.Streaming.Tests.Support;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.AspNetCore.Tests.Support;

/// <summary>The storage a locker under test keeps its objects in.</summary>
public enum Backend
{
    FileSystem = 0,
    InMemory,
    S3,
    Azure,
}

/// <summary>
/// A locker (SQLite catalog, a local key ring, the chosen backend wrapped in a <see cref="CountingBlobStore"/>) behind
/// <c>MapMusicLocker("/api", …)</c> on Kestrel at 127.0.0.1 on a free port; the test user is named by the
/// <c>X-User</c> header (the app's authentication).
/// </summary>
internal sealed class LockerHost : IAsyncDisposable
{
    public const string Prefix = "/api";
    public const string UserHeader = "X-User";

    private readonly TempFolder _folder = new();
    private readonly List<object> _owned = [];
    private WebApplication? _app;

    private LockerHost()
    {
    }

    public static byte[] SigningKey { get; } = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public CountingBlobStore Storage { get; private set; } = null!;

    public ILocker Locker { get; private set; } = null!;

    public TrackingArrayPool Pool { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client whose requests are from <paramref name="user"/> (none: anonymous).</summary>
    public HttpClient Client(string? user = "ann")
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = BaseAddress };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add(UserHeader, user);
        }

        return client;
    }

    public static async Task<LockerHost> StartAsync(Backend backend, bool encrypt, Action<MusicLockerEndpointOptions>? configure = null, Func<IBlobStore, IBlobStore>? wrap = null)
    {
        var host = new LockerHost();
        try
        {
            await host.OpenAsync(backend, encrypt, configure, wrap);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task OpenAsync(Backend backend, bool encrypt, Action<MusicLockerEndpointOptions>? configure, Func<IBlobStore, IBlobStore>? wrap)
    {
        var ct = TestContext.Current.CancellationToken;
        IBlobStore raw = backend switch
        {
            Backend.FileSystem => new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(_folder.Path, "blobs"), FlushToDisk = false }),
            Backend.InMemory => new InMemoryBlobStore(),
            Backend.S3 => await S3StoreAsync(),
            _ => await AzureStoreAsync(ct),
        };
        _owned.Add(raw);
        Storage = new CountingBlobStore(wrap is null ? raw : wrap(raw));
        var metadata = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = Path.Combine(_folder.Path, "locker.db"), TimeProvider = Clock });
        _owned.Add(metadata);
        var ring = await LocalKeyRing.CreateAsync(new LocalKeyRingOptions { Path = Path.Combine(_folder.Path, "keyring.json"), TimeProvider = Clock });
        _owned.Add(ring);

        // S3 needs parts of 5 MiB; the other backends take small parts so encrypted objects span many of them.
        int partSize = backend == Backend.S3 ? BlobStoreLimits.MinPartSize : 16 * 1024;
        Locker = global::MusicLocker.Locker.Create(Storage, metadata, ring, new MusicLockerOptions { Encrypt = encrypt, PartSize = partSize, TimeProvider = Clock });

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapMusicLocker(Prefix, options =>
        {
            options.Locker = Locker;
            options.UserIdResolver = static context => context.Request.Headers[UserHeader] is { Count: 1 } user ? user.ToString() : null;
            options.SigningKeys.Add(new UrlSigningKey { Id = "k1", Key = SigningKey });
            options.TimeProvider = Clock;
            options.Streaming = new TrackResponderOptions { RangeReader = new BlobRangeReaderOptions { ChunkSize = 4096, ReadAheadChunks = 2, BufferPool = Pool } };
            configure?.Invoke(options);
        });
        await _app.StartAsync(ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    /// <summary>Uploads a fixture for <paramref name="user"/> through the facade; returns its id and bytes.</summary>
    public async Task<(Guid Id, byte[] Bytes)> UploadAsync(string fixture, string user = "ann")
    {
        string path = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", fixture);
        var result = await Locker.ForUser(user).Uploads.UploadFileAsync(path, cancellationToken: TestContext.Current.CancellationToken);
        return (result.Track.Id, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
    }

    private static async Task<IBlobStore> S3StoreAsync()
    {
        var server = await S3rverServer.GetSharedAsync();
        return new S3BlobStore(S3TestStores.Options(server, await S3TestStores.CreateBucketAsync(server)));
    }

    private static async Task<IBlobStore> AzureStoreAsync(CancellationToken ct)
    {
        var server = await AzuriteServer.GetSharedAsync();
        var store = new AzureBlobStore(new AzureBlobStoreOptions
        {
            ServiceUri = server.BlobEndpoint,
            AccountName = AzuriteServer.AccountName,
            AccountKey = AzuriteServer.AccountKey,
            ContainerName = "h" + Guid.NewGuid().ToString("N"),
            RetryDelay = TimeSpan.FromMilliseconds(50),
            ServiceVersion = Azure.Storage.Blobs.BlobClientOptions.ServiceVersion.V2025_01_05, // Azurite 3.37.0 refuses the SDK's default
        });
        await store.CreateContainerIfNotExistsAsync(ct);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        if (Locker is not null)
        {
            await Locker.DisposeAsync();
        }

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

        _folder.Dispose();
    }
}
