using Amazon.KeyManagementService;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MusicLocker.DependencyInjection;
using MusicLocker.Keys.AwsKms.Tests;
using MusicLocker.Metadata.Tests.Servers;
using MusicLocker.Storage.S3;
using MusicLocker.Storage.S3.Tests;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;
using MusicLocker.Testing.Storage;

namespace MusicLocker.Tests;

/// <summary>The hosting packages: UseS3Storage, UseAzureBlobStorage, UsePostgres and UseAwsKms bound from configuration.</summary>
public sealed class HostingTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static OptionsValidationException StartFails(IServiceCollection services)
    {
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Theory]
    [InlineData("S3", "BucketName", "", "MusicLocker:S3:BucketName")]
    [InlineData("S3", "PartSize", "1000", "MusicLocker:S3:PartSize")]
    [InlineData("S3", "ServiceUri", "ftp://example.com", "MusicLocker:S3:ServiceUri")]
    [InlineData("Azure", "ContainerName", "", "MusicLocker:Azure:ContainerName")]
    [InlineData("Azure", "MaxConcurrency", "0", "MusicLocker:Azure:MaxConcurrency")]
    [InlineData("Postgres", "ConnectionString", "", "MusicLocker:Postgres:ConnectionString")]
    [InlineData("Postgres", "ConnectionString", "Host=db;NoSuchKeyword=1", "MusicLocker:Postgres:ConnectionString")]
    [InlineData("AwsKms", "KeyId", " ", "MusicLocker:AwsKms:KeyId")]
    public void A_bad_server_setting_fails_at_start_naming_it(string part, string setting, string value, string named)
    {
        var good = new Dictionary<string, string?>
        {
            ["MusicLocker:S3:BucketName"] = "music",
            ["MusicLocker:S3:ServiceUri"] = "http://127.0.0.1:9",
            ["MusicLocker:S3:AccessKeyId"] = "id",
            ["MusicLocker:S3:SecretAccessKey"] = "secret",
            ["MusicLocker:Azure:ContainerName"] = "music",
            ["MusicLocker:Azure:ConnectionString"] = "UseDevelopmentStorage=true",
            ["MusicLocker:Postgres:ConnectionString"] = "Host=db;Database=locker",
            ["MusicLocker:AwsKms:KeyId"] = "alias/music",
        };
        good[$"MusicLocker:{part}:{setting}"] = value;
        var configuration = Configuration(good);
        var services = new ServiceCollection();
        var builder = services.AddMusicLocker(configuration.GetSection("MusicLocker"))
            .UsePostgres(configuration.GetSection("MusicLocker:Postgres"))
            .UseAwsKms(configuration.GetSection("MusicLocker:AwsKms"));
        if (part == "Azure")
        {
            builder.UseAzureBlobStorage(configuration.GetSection("MusicLocker:Azure"));
        }
        else
        {
            builder.UseS3Storage(configuration.GetSection("MusicLocker:S3"));
        }

        var error = StartFails(services);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Single(error.Failures);
    }

    [Fact]
    public void Good_settings_start_and_a_replaced_part_is_not_checked()
    {
        var services = new ServiceCollection();
        services.AddMusicLocker()
            .UseS3Storage(o => o.PartSize = 3)
            .UseInMemoryStorage()
            .UsePostgres("Host=db;Database=locker")
            .UseAwsKms("alias/music");
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Every_Use_call_is_safe_twice()
    {
        var services = new ServiceCollection();
        for (int i = 0; i < 2; i++)
        {
            services.AddMusicLocker()
                .UseS3Storage(o => o.BucketName = "music")
                .UsePostgres("Host=db;Database=locker")
                .UseAwsKms("alias/music");
        }

        Assert.Single(services, d => d.ServiceType == typeof(ILocker));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<S3BlobStoreOptions>));
        Assert.Single(services, d => d.ServiceType == typeof(IAmazonKeyManagementService));
        using var provider = services.BuildServiceProvider();

        // No credentials given: the AWS SDK's chain is used at the first request, nothing is looked up at start.
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal("music", provider.GetRequiredService<IOptionsMonitor<S3BlobStoreOptions>>().Get(S3StorageExtensions.SectionPath).BucketName);
    }

    [Fact]
    public async Task S3_PostgreSQL_and_KMS_from_configuration_upload_and_a_restarted_app_reads_back()
    {
        TestEnvironment.RequireServer(postgres.Available, postgres.UnavailableReason);
        var s3 = await S3rverServer.GetSharedAsync();
        string bucket = await S3TestStores.CreateBucketAsync(s3);
        string database = await postgres.CreateDatabaseAsync("hosting");
        var (kms, _) = InProcessKms.Create("alias/music");
        var configuration = Configuration(new()
        {
            ["MusicLocker:PartSize"] = "16384",
            ["MusicLocker:S3:BucketName"] = bucket,
            ["MusicLocker:S3:ServiceUri"] = s3.ServiceUrl.ToString(),
            ["MusicLocker:S3:ForcePathStyle"] = "true",
            ["MusicLocker:S3:AccessKeyId"] = S3rverServer.AccessKey,
            ["MusicLocker:S3:SecretAccessKey"] = S3rverServer.SecretKey,
            ["MusicLocker:S3:PartSize"] = "5242880",
            ["MusicLocker:Postgres:ConnectionString"] = database,
            ["MusicLocker:AwsKms:KeyId"] = "alias/music",
        });
        ServiceProvider Start()
        {
            var services = new ServiceCollection();
            services.AddSingleton(kms);
            services.AddMusicLocker(configuration.GetSection("MusicLocker"))
                .UseS3Storage(configuration.GetSection("MusicLocker:S3"))
                .UsePostgres(configuration.GetSection("MusicLocker:Postgres"))
                .UseAwsKms(configuration.GetSection("MusicLocker:AwsKms"))

                // s3rver lacks ListParts, which the locker needs to complete an upload: the store UseS3Storage bound and
                // checked is wrapped in the test's part ledger (the one thing a real bucket does that s3rver does not).
                .UseStorage<S3BlobStoreOptions>(S3StorageExtensions.SectionPath, static (options, _, _) =>
                    ValueTask.FromResult<Storage.IBlobStore>(new PartLedgerBlobStore(new S3BlobStore(options))));
            var provider = services.BuildServiceProvider();
            provider.GetRequiredService<IStartupValidator>().Validate();
            return provider;
        }

        string path = AudioFiles.Mp3("big-cover.mp3");
        Guid trackId;
        await using (var provider = Start())
        {
            var result = await provider.GetRequiredService<ILocker>().ForUser("alice").Uploads.UploadFileAsync(path, cancellationToken: Ct);
            trackId = result.Track.Id;
        }

        await using var restarted = Start();
        var download = new MemoryStream();
        await restarted.GetRequiredService<ILocker>().ForUser("alice").Downloads.DownloadToAsync(trackId, download, cancellationToken: Ct);
        Assert.Equal(await File.ReadAllBytesAsync(path, Ct), download.ToArray());
        var store = new S3BlobStore(S3TestStores.Options(s3, bucket));
        using (store)
        {
            Assert.NotEmpty(await EndToEndTests.ToListAsync(store.ListAsync("users/alice/", Ct)));
        }
    }

    [Fact]
    public async Task Azure_from_configuration_creates_its_container_when_asked_and_stores_there()
    {
        var azurite = await AzuriteServer.GetSharedAsync();
        using var folder = new TempFolder();
        string container = "c" + Guid.NewGuid().ToString("N");
        var configuration = Configuration(new()
        {
            ["MusicLocker:Folder"] = folder.Path,
            ["MusicLocker:PartSize"] = "16384",
            ["MusicLocker:Azure:ContainerName"] = container,
            ["MusicLocker:Azure:ConnectionString"] = azurite.ConnectionString,
            ["MusicLocker:Azure:ServiceVersion"] = "V2025_01_05",
        });
        var services = new ServiceCollection();
        services.AddMusicLocker(configuration.GetSection("MusicLocker"))
            .UseAzureBlobStorage(configuration.GetSection("MusicLocker:Azure"), createContainer: true);
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var result = await provider.GetRequiredService<ILocker>().ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), cancellationToken: Ct);

        Assert.Equal(UploadOutcome.Stored, result.Outcome);
        using var store = new Storage.Azure.AzureBlobStore(new Storage.Azure.AzureBlobStoreOptions
        {
            ConnectionString = azurite.ConnectionString,
            ContainerName = container,
            ServiceVersion = Azure.Storage.Blobs.BlobClientOptions.ServiceVersion.V2025_01_05,
        });
        Assert.NotEmpty(await EndToEndTests.ToListAsync(store.ListAsync("users/alice/tracks/", Ct)));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, Locker.EmbeddedBlobFolder)));
    }
}
