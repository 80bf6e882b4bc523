using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using MusicLocker.Crypto;

namespace MusicLocker.Keys.AwsKms;

/// <summary>
/// A master-key provider backed by an AWS KMS key: user keys are made by <c>GenerateDataKey</c> (AES-256), unwrapped by
/// <c>Decrypt</c> and rewrapped by <c>ReEncrypt</c>, always with an encryption context naming tenant, user and object,
/// so a wrapped key only decrypts for the user it belongs to (and CloudTrail logs say whose key was used).
/// </summary>
/// <remarks>
/// The wrapped key is the KMS ciphertext blob as returned. Master-key rotation: enable automatic rotation on the KMS key,
/// or point <see cref="AwsKmsMasterKeyProviderOptions.KeyId"/> at a new key; then run
/// <see cref="UserKeyManager.RotateMasterKeyAsync"/> to re-encrypt user keys under it.
/// </remarks>
public sealed class AwsKmsMasterKeyProvider : IMasterKeyProvider
{
    /// <summary>The encryption-context entry naming the tenant (left out when the tenant id is empty).</summary>
    public const string TenantContextKey = "musiclocker:tenant";

    /// <summary>The encryption-context entry naming the user.</summary>
    public const string UserContextKey = "musiclocker:user";

    /// <summary>The encryption-context entry naming the object (for a user key: <c>user-key/&lt;version&gt;</c>).</summary>
    public const string ObjectContextKey = "musiclocker:object";

    private readonly IAmazonKeyManagementService _kms;
    private readonly string _keyId;

    /// <summary>
    /// Creates the provider over a KMS client (the app owns the client and its credentials); <paramref name="options"/>
    /// are copied and checked here (later changes to them have no effect).
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="AwsKmsMasterKeyProviderOptions.KeyId"/> is empty or blank.</exception>
    public AwsKmsMasterKeyProvider(IAmazonKeyManagementService kms, AwsKmsMasterKeyProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentNullException.ThrowIfNull(options);
        string keyId = options.KeyId;
        if (string.IsNullOrWhiteSpace(keyId))
        {
            throw new ArgumentException("AwsKmsMasterKeyProviderOptions.KeyId must name a KMS key (id, ARN, alias name or alias ARN).", "options.KeyId");
        }

        _kms = kms;
        _keyId = keyId;
    }

    /// <summary>The encryption context sent with every call for <paramref name="context"/>.</summary>
    internal static Dictionary<string, string> EncryptionContext(KeyContext context)
    {
        var result = new Dictionary<string, string>(3, StringComparer.Ordinal)
        {
            [UserContextKey] = context.UserId,
            [ObjectContextKey] = context.ObjectId,
        };
        if (!string.IsNullOrEmpty(context.TenantId))
        {
            result[TenantContextKey] = context.TenantId;
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<GeneratedKey> GenerateKeyAsync(KeyContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = new GenerateDataKeyRequest { KeyId = _keyId, KeySpec = DataKeySpec.AES_256, EncryptionContext = EncryptionContext(context) };
        var response = await CallAsync(() => _kms.GenerateDataKeyAsync(request, cancellationToken), context).ConfigureAwait(false);
        using var plaintext = response.Plaintext;
        using var ciphertext = response.CiphertextBlob;
        var key = plaintext.ToArray();
        if (key.Length != 32)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyServiceFailed, $"KMS returned a {key.Length}-byte data key for {context}; AES_256 keys are 32 bytes.");
        }

        return new GeneratedKey(key, ciphertext.ToArray());
    }

    /// <inheritdoc />
    public async Task<byte[]> UnwrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckWrapped(wrappedKey, context);
        var request = new DecryptRequest { CiphertextBlob = new MemoryStream(wrappedKey.ToArray()), EncryptionContext = EncryptionContext(context) };
        var response = await CallAsync(() => _kms.DecryptAsync(request, cancellationToken), context).ConfigureAwait(false);
        using var plaintext = response.Plaintext;
        return plaintext.ToArray();
    }

    /// <inheritdoc />
    public async Task<byte[]> RewrapKeyAsync(ReadOnlyMemory<byte> wrappedKey, KeyContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CheckWrapped(wrappedKey, context);
        var encryptionContext = EncryptionContext(context);
        var request = new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(wrappedKey.ToArray()),
            SourceEncryptionContext = encryptionContext,
            DestinationKeyId = _keyId,
            DestinationEncryptionContext = encryptionContext,
        };
        var response = await CallAsync(() => _kms.ReEncryptAsync(request, cancellationToken), context).ConfigureAwait(false);
        using var ciphertext = response.CiphertextBlob;
        return ciphertext.ToArray();
    }

    private static void CheckWrapped(ReadOnlyMemory<byte> wrappedKey, KeyContext context)
    {
        if (wrappedKey.IsEmpty)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"The wrapped key for {context} is empty.");
        }
    }

    /// <summary>Maps KMS errors to typed ones, so no AWS type leaks through the crypto API.</summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call, KeyContext context)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidCiphertextException or IncorrectKeyException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyUnwrapFailed, $"KMS refused the wrapped key for {context}: it was modified, or belongs to another tenant, user or object ({ex.Message}).", null, ex);
        }
        catch (Exception ex) when (ex is NotFoundException or DisabledException or KMSInvalidStateException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyNotFound, $"The KMS key for {context} (configured '{_keyId}') is missing, disabled or pending deletion: {ex.Message}", null, ex);
        }
        catch (AmazonServiceException ex) when (ex.StatusCode >= HttpStatusCode.InternalServerError || ex.StatusCode == (HttpStatusCode)429 || ex is KMSInternalException or DependencyTimeoutException)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyServiceFailed, $"KMS could not be reached for {context} ({ex.StatusCode}); retry later: {ex.Message}", null, ex);
        }
        catch (AmazonServiceException ex)
        {
            // Access denied, a key not usable for this, a bad request: retrying the same call will not help.
            throw new EncryptionException(EncryptionErrorCode.KeyServiceRefused, $"KMS refused the call for {context} ({ex.ErrorCode}, {ex.StatusCode}): {ex.Message}", null, ex);
        }
        catch (AmazonClientException ex)
        {
            throw new EncryptionException(EncryptionErrorCode.KeyServiceFailed, $"The KMS client failed for {context}: {ex.Message}", null, ex);
        }
    }
}
