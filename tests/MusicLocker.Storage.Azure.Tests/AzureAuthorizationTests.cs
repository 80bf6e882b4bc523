using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.Azure.Tests;

/// <summary>Shared Key, SAS and bearer-token authorization through the Azure SDK, connection strings, and option checks.</summary>
public sealed class AzureAuthorizationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An account SAS (https://learn.microsoft.com/rest/api/storageservices/create-account-sas), signed here with the development key.</summary>
    private static string AccountSas(string permissions)
    {
        const string Version = "2025-01-05";
        string expiry = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        string toSign = $"{AzuriteServer.AccountName}\n{permissions}\nb\nsco\n\n{expiry}\n\nhttps,http\n{Version}\n\n";
        string sig = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(AzuriteServer.AccountKey), Encoding.UTF8.GetBytes(toSign)));
        return $"sv={Version}&ss=b&srt=sco&sp={permissions}&se={Uri.EscapeDataString(expiry)}&spr=https,http&sig={Uri.EscapeDataString(sig)}";
    }

    private static async Task<(AzuriteServer Server, string Container)> ContainerAsync()
    {
        var server = await AzuriteServer.GetSharedAsync();
        string container = AzureTestStores.NewContainerName();
        using (await AzureTestStores.CreateAsync(server, container))
        {
        }

        return (server, container);
    }

    [Fact]
    public async Task A_sas_token_authorizes_writes_reads_listing_copies_and_multipart_uploads()
    {
        var (server, container) = await ContainerAsync();
        using var store = new AzureBlobStore(new AzureBlobStoreOptions { ServiceUri = server.BlobEndpoint, ContainerName = container, ServiceVersion = AzureTestStores.AzuriteVersion, SasToken = "?" + AccountSas("rwdlacup") });
        var bytes = TestData.Bytes(4000, 9);
        await store.PutBytesAsync(BlobKey.Parse("sas/a b+c"), bytes, new PutBlobOptions { Metadata = new Dictionary<string, string> { ["x"] = "1" } }, Ct);
        Assert.Equal(bytes[3000..], await store.ReadAllBytesAsync(BlobKey.Parse("sas/a b+c"), new ReadBlobOptions { Range = ByteRange.Suffix(1000) }, cancellationToken: Ct));
        var copy = await store.CopyAsync(BlobKey.Parse("sas/a b+c"), BlobKey.Parse("sas/copy"), BlobRequestConditions.CreateOnly, Ct);
        Assert.Equal("1", copy.Metadata["x"]);
        var upload = await store.StartMultipartUploadAsync(BlobKey.Parse("sas/mp"), null, Ct);
        var part = await store.UploadPartAsync(upload, 1, new MemoryStream(bytes), Ct);
        Assert.Equal([part], await store.ListPartsAsync(upload, Ct));
        await store.CompleteMultipartUploadAsync(upload, [part], Ct);
        var keys = new List<string>();
        await foreach (var item in store.ListAsync("sas/", Ct))
        {
            keys.Add(item.Key.Value);
        }

        Assert.Equal(["sas/a b+c", "sas/copy", "sas/mp"], keys);
        Assert.True(await store.DeleteAsync(BlobKey.Parse("sas/copy"), null, Ct));
    }

    [Fact]
    public async Task A_read_only_sas_is_refused_writes_as_access_denied()
    {
        var (server, container) = await ContainerAsync();
        using var store = new AzureBlobStore(new AzureBlobStoreOptions { ServiceUri = server.BlobEndpoint, ContainerName = container, ServiceVersion = AzureTestStores.AzuriteVersion, SasToken = AccountSas("rl") });
        var ex = await Assert.ThrowsAnyAsync<BlobStoreException>(() => store.PutBytesAsync(BlobKey.Parse("ro"), new byte[] { 1 }, cancellationToken: Ct));
        Assert.Equal(BlobErrorCode.AccessDenied, ex.ErrorCode);
        Assert.Equal("ro", ex.Key);
    }

    [Fact]
    public async Task A_wrong_account_key_is_access_denied()
    {
        var (server, container) = await ContainerAsync();
        var options = AzureTestStores.Options(server, container);
        options.AccountKey = Convert.ToBase64String(new byte[64]);
        using var store = new AzureBlobStore(options);
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync(BlobKey.Parse("k"), Ct));
        Assert.Equal(BlobErrorCode.AccessDenied, ex.ErrorCode);
    }

    [Fact]
    public async Task A_token_credential_sends_a_bearer_token_for_azure_storage_and_the_sdk_reuses_it()
    {
        // Bearer tokens go over HTTPS only (the SDK refuses them over HTTP), so this endpoint is answered by the handler.
        var credential = new CountingCredential(TimeSpan.FromHours(1));
        var handler = new FaultInjectingHandler((_, _, _) => Task.FromResult<HttpResponseMessage?>(FaultInjectingHandler.Status(HttpStatusCode.NotFound)));
        using (var store = new AzureBlobStore(new AzureBlobStoreOptions
        {
            ServiceUri = new Uri("https://acme.blob.core.windows.net"),
            ContainerName = "c",
            TokenCredential = credential,
            Transport = new HttpClientTransport(handler),
        }))
        {
            for (int i = 0; i < 3; i++)
            {
                await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(BlobKey.Parse("k"), Ct));
            }
        }

        Assert.Equal(1, credential.Calls);
        Assert.Equal(3, handler.Count);
        Assert.All(handler.Requests, r => Assert.Equal("Bearer token-1", r.Authorization));
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes);
    }

    [Fact]
    public async Task A_failing_token_credential_is_access_denied()
    {
        var handler = new FaultInjectingHandler((_, _, _) => Task.FromResult<HttpResponseMessage?>(FaultInjectingHandler.Status(HttpStatusCode.OK)));
        using var store = new AzureBlobStore(new AzureBlobStoreOptions
        {
            ServiceUri = new Uri("https://acme.blob.core.windows.net"),
            ContainerName = "c",
            TokenCredential = new CountingCredential(TimeSpan.FromHours(1), fail: true),
            Transport = new HttpClientTransport(handler),
            MaxRetries = 0,
        });
        var ex = await Assert.ThrowsAsync<BlobStoreException>(() => store.GetPropertiesAsync(BlobKey.Parse("k"), Ct));
        Assert.Equal(BlobErrorCode.AccessDenied, ex.ErrorCode);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task The_emulators_connection_string_reaches_azurite()
    {
        var (server, container) = await ContainerAsync();
        var options = AzureBlobStoreOptions.FromConnectionString(server.ConnectionString, container);
        options.ServiceVersion = AzureTestStores.AzuriteVersion;
        using var store = new AzureBlobStore(options);
        await store.PutBytesAsync(BlobKey.Parse("cs"), new byte[] { 1, 2, 3 }, cancellationToken: Ct);
        Assert.Equal(new byte[] { 1, 2, 3 }, await store.ReadAllBytesAsync(BlobKey.Parse("cs"), cancellationToken: Ct));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("AccountName=acme")]
    public void A_malformed_connection_string_names_the_option_and_never_echoes_it(string connectionString)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new AzureBlobStore(AzureBlobStoreOptions.FromConnectionString(connectionString, "c")));
        Assert.Equal("options.ConnectionString", ex.ParamName);
        Assert.DoesNotContain(connectionString, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_need_exactly_one_way_in()
    {
        var none = new AzureBlobStoreOptions { ServiceUri = new Uri("https://acme.blob.core.windows.net"), ContainerName = "c" };
        Assert.Throws<ArgumentException>(() => new AzureBlobStore(none));
        var two = new AzureBlobStoreOptions { ServiceUri = new Uri("https://acme.blob.core.windows.net"), ContainerName = "c", AccountKey = AzuriteServer.AccountKey, SasToken = "sv=x" };
        Assert.Throws<ArgumentException>(() => new AzureBlobStore(two));
        var badKey = new AzureBlobStoreOptions { ServiceUri = new Uri("https://acme.blob.core.windows.net"), ContainerName = "c", AccountKey = "not base64!" };
        Assert.Equal("options.AccountKey", Assert.Throws<ArgumentException>(() => new AzureBlobStore(badKey)).ParamName);
        var both = new AzureBlobStoreOptions { ConnectionString = "UseDevelopmentStorage=true", ServiceUri = new Uri("https://acme.blob.core.windows.net"), ContainerName = "c" };
        Assert.Equal("options.ConnectionString", Assert.Throws<ArgumentException>(() => new AzureBlobStore(both)).ParamName);
        var noContainer = AzureBlobStoreOptions.FromConnectionString("UseDevelopmentStorage=true", "");
        Assert.Equal("options.ContainerName", Assert.Throws<ArgumentException>(() => new AzureBlobStore(noContainer)).ParamName);
        var tiny = AzureBlobStoreOptions.FromConnectionString("UseDevelopmentStorage=true", "c");
        tiny.PartSize = 10;
        Assert.Equal("options.PartSize", Assert.Throws<ArgumentOutOfRangeException>(() => new AzureBlobStore(tiny)).ParamName);
    }

    private sealed class CountingCredential(TimeSpan lifetime, bool fail = false) : TokenCredential
    {
        private int _calls;

        public int Calls => _calls;

        public string[] Scopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            int n = Interlocked.Increment(ref _calls);
            Scopes = requestContext.Scopes;
            return fail
                ? throw new InvalidOperationException("no identity available (test)")
                : ValueTask.FromResult(new AccessToken($"token-{n}", DateTimeOffset.UtcNow + lifetime));
        }
    }
}
