using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using MusicLocker.Crypto;
using MusicLocker.Crypto.Tests.Conformance;
using MusicLocker.Storage;

namespace MusicLocker.Keys.AwsKms.Tests;

/// <summary>The master-key provider conformance suite on the AWS KMS provider, against the in-process KMS.</summary>
public sealed class AwsKmsProviderConformanceTests : MasterKeyProviderConformanceTests
{
    private InProcessKms? _service;
    private IAmazonKeyManagementService? _client;
    private int _keys;

    protected override Task<IMasterKeyProvider> CreateProviderAsync()
    {
        (_client, _service) = InProcessKms.Create("key-1");
        _keys = 1;
        return Task.FromResult<IMasterKeyProvider>(new AwsKmsMasterKeyProvider(_client, new AwsKmsMasterKeyProviderOptions { KeyId = "key-1" }));
    }

    protected override Task RotateAsync(IMasterKeyProvider provider)
    {
        // Rotation to a new KMS key: the provider is configured with the new key id (as after an alias switch).
        _keys++;
        _service!.AddKey("key-" + _keys);
        ReplaceProvider(new AwsKmsMasterKeyProvider(_client!, new AwsKmsMasterKeyProviderOptions { KeyId = "key-" + _keys }));
        return Task.CompletedTask;
    }

    protected override Task RetireOldKeysAsync(IMasterKeyProvider provider)
    {
        foreach (var id in _service!.KeyIds.Where(id => id != "key-" + _keys))
        {
            _service.DeleteKey(id);
        }

        return Task.CompletedTask;
    }
}

/// <summary>What the provider sends to KMS and how it reports KMS errors.</summary>
public sealed class AwsKmsProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_call_carries_an_encryption_context_naming_tenant_user_and_object()
    {
        var (client, service) = InProcessKms.Create("key-1");
        var provider = new AwsKmsMasterKeyProvider(client, new AwsKmsMasterKeyProviderOptions { KeyId = "key-1" });
        var context = new KeyContext("acme", "ann", "user-key/3");
        using var key = await provider.GenerateKeyAsync(context, Ct);
        await provider.UnwrapKeyAsync(key.WrappedKey, context, Ct);
        await provider.RewrapKeyAsync(key.WrappedKey, context, Ct);

        var expected = new Dictionary<string, string> { ["musiclocker:tenant"] = "acme", ["musiclocker:user"] = "ann", ["musiclocker:object"] = "user-key/3" };
        var requests = service.Requests.ToArray();
        Assert.Equal(3, requests.Length);
        var generate = Assert.IsType<GenerateDataKeyRequest>(requests[0]);
        Assert.Equal("key-1", generate.KeyId);
        Assert.Equal(DataKeySpec.AES_256, generate.KeySpec);
        Assert.Equal(expected, generate.EncryptionContext);
        Assert.Equal(expected, Assert.IsType<DecryptRequest>(requests[1]).EncryptionContext);
        var reEncrypt = Assert.IsType<ReEncryptRequest>(requests[2]);
        Assert.Equal(expected, reEncrypt.SourceEncryptionContext);
        Assert.Equal(expected, reEncrypt.DestinationEncryptionContext);
        Assert.Equal("key-1", reEncrypt.DestinationKeyId);
    }

    [Fact]
    public async Task An_empty_tenant_is_left_out_of_the_context()
    {
        var (client, service) = InProcessKms.Create("key-1");
        var provider = new AwsKmsMasterKeyProvider(client, new AwsKmsMasterKeyProviderOptions { KeyId = "key-1" });
        using var key = await provider.GenerateKeyAsync(new KeyContext("", "ann", "user-key/1"), Ct);
        var request = Assert.IsType<GenerateDataKeyRequest>(Assert.Single(service.Requests));
        Assert.False(request.EncryptionContext.ContainsKey("musiclocker:tenant"));
    }

    [Fact]
    public async Task A_deleted_kms_key_is_reported_as_key_not_found_without_leaking_aws_types()
    {
        var (client, service) = InProcessKms.Create("key-1");
        var provider = new AwsKmsMasterKeyProvider(client, new AwsKmsMasterKeyProviderOptions { KeyId = "key-1" });
        var context = new KeyContext("acme", "ann", "user-key/1");
        using var key = await provider.GenerateKeyAsync(context, Ct);
        service.DeleteKey("key-1");
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => provider.UnwrapKeyAsync(key.WrappedKey, context, Ct));
        Assert.Equal(EncryptionErrorCode.KeyNotFound, ex.ErrorCode);
        Assert.IsType<NotFoundException>(ex.InnerException);
    }

    [Fact]
    public async Task Kms_refusing_the_call_for_good_is_not_transient_and_throttling_is()
    {
        var (client, service) = InProcessKms.Create("key-1");
        var provider = new AwsKmsMasterKeyProvider(client, new AwsKmsMasterKeyProviderOptions { KeyId = "key-1" });
        var context = new KeyContext("acme", "ann", "user-key/1");
        using var key = await provider.GenerateKeyAsync(context, Ct);

        // AccessDeniedException (HTTP 400): retrying the same call cannot help, so the caller must not be told to.
        service.Fault = new AmazonKeyManagementServiceException("User is not authorized to perform kms:Decrypt", ErrorType.Sender, "AccessDeniedException", "req-1", HttpStatusCode.BadRequest);
        var denied = await Assert.ThrowsAsync<EncryptionException>(() => provider.UnwrapKeyAsync(key.WrappedKey, context, Ct));
        Assert.Equal(EncryptionErrorCode.KeyServiceRefused, denied.ErrorCode);
        Assert.Equal(BlobErrorCode.AccessDenied, ((BlobStoreException)denied).ErrorCode);
        Assert.False(denied.IsTransient);

        // Throttling (429) and KMS's own failures are transient.
        service.Fault = new AmazonKeyManagementServiceException("Rate exceeded", ErrorType.Sender, "ThrottlingException", "req-2", (HttpStatusCode)429);
        var throttled = await Assert.ThrowsAsync<EncryptionException>(() => provider.UnwrapKeyAsync(key.WrappedKey, context, Ct));
        Assert.Equal(EncryptionErrorCode.KeyServiceFailed, throttled.ErrorCode);
        Assert.True(throttled.IsTransient);
        service.Fault = new KMSInternalException("internal");
        Assert.True((await Assert.ThrowsAsync<EncryptionException>(() => provider.UnwrapKeyAsync(key.WrappedKey, context, Ct))).IsTransient);
    }

    [Fact]
    public async Task Changing_the_options_after_construction_has_no_effect()
    {
        var (client, service) = InProcessKms.Create("key-1");
        service.AddKey("key-2");
        var options = new AwsKmsMasterKeyProviderOptions { KeyId = "key-1" };
        var provider = new AwsKmsMasterKeyProvider(client, options);
        options.KeyId = "key-2";
        using var key = await provider.GenerateKeyAsync(new KeyContext("", "ann", "user-key/1"), Ct);
        Assert.Equal("key-1", Assert.IsType<GenerateDataKeyRequest>(Assert.Single(service.Requests)).KeyId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_blank_key_id_names_the_option(string keyId)
    {
        var (client, _) = InProcessKms.Create("key-1");
        var ex = Assert.Throws<ArgumentException>(() => new AwsKmsMasterKeyProvider(client, new AwsKmsMasterKeyProviderOptions { KeyId = keyId }));
        Assert.Equal("options.KeyId", ex.ParamName);
    }

    [Fact]
    public async Task Errors_quote_a_long_context_in_bounded_form()
    {
        var (client, service) = InProcessKms.Create("key-1");
        var provider = new AwsKmsMasterKeyProvider(client, new AwsKmsMasterKeyProviderOptions { KeyId = "key-1" });
        string big = new('x', 60_000);
        service.Fault = new KMSInternalException("internal");
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => provider.GenerateKeyAsync(new KeyContext(big, big, big), Ct));
        Assert.True(ex.Message.Length < 2_000, $"The message is {ex.Message.Length} characters.");
    }
}
