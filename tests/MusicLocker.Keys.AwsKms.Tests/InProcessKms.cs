using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace MusicLocker.Keys.AwsKms.Tests;

/// <summary>
/// An in-process implementation of <see cref="IAmazonKeyManagementService"/> for the calls the provider makes
/// (GenerateDataKey, Decrypt, ReEncrypt). No KMS server runs here, so this really wraps keys: each KMS key is a random
/// AES-256 key, and a ciphertext blob is key id ‖ nonce ‖ AES-GCM(data key) with the canonical encryption context as
/// associated data — a wrong context, a modified blob or a deleted key fails the way KMS does, with KMS's exception types.
/// Every other operation throws <see cref="NotSupportedException"/>.
/// </summary>
public class InProcessKms : DispatchProxy
{
    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<object> Requests { get; } = new();

    /// <summary>Creates the service with one key, <paramref name="keyId"/>.</summary>
    public static (IAmazonKeyManagementService Client, InProcessKms Service) Create(string keyId)
    {
        var client = Create<IAmazonKeyManagementService, InProcessKms>();
        var service = (InProcessKms)(object)client;
        service.AddKey(keyId);
        return (client, service);
    }

    public void AddKey(string keyId) => _keys[keyId] = RandomNumberGenerator.GetBytes(32);

    public void DeleteKey(string keyId) => _keys.TryRemove(keyId, out _);

    public IReadOnlyCollection<string> KeyIds => _keys.Keys.ToArray();

    /// <summary>When set, every call fails with this exception (as KMS would: throttling, access denied, …).</summary>
    public Exception? Fault { get; set; }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var token = args?.OfType<CancellationToken>().FirstOrDefault() ?? default;
        return targetMethod.Name switch
        {
            nameof(IAmazonKeyManagementService.GenerateDataKeyAsync) => Run(token, () => GenerateDataKey((GenerateDataKeyRequest)args![0]!)),
            nameof(IAmazonKeyManagementService.DecryptAsync) => Run(token, () => Decrypt((DecryptRequest)args![0]!)),
            nameof(IAmazonKeyManagementService.ReEncryptAsync) => Run(token, () => ReEncrypt((ReEncryptRequest)args![0]!)),
            "Dispose" => null,
            _ => throw new NotSupportedException($"The in-process KMS implements GenerateDataKey, Decrypt and ReEncrypt only, not {targetMethod.Name}."),
        };
    }

    private Task<T> Run<T>(CancellationToken token, Func<T> call)
    {
        if (token.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(token);
        }

        if (Fault is { } fault)
        {
            return Task.FromException<T>(fault);
        }

        try
        {
            return Task.FromResult(call());
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    private GenerateDataKeyResponse GenerateDataKey(GenerateDataKeyRequest request)
    {
        Requests.Enqueue(request);
        if (request.KeySpec != DataKeySpec.AES_256)
        {
            throw new AmazonKeyManagementServiceException("The in-process KMS generates AES_256 data keys only.");
        }

        var plaintext = RandomNumberGenerator.GetBytes(32);
        return new GenerateDataKeyResponse
        {
            KeyId = request.KeyId,
            Plaintext = new MemoryStream(plaintext.ToArray()),
            CiphertextBlob = new MemoryStream(Encrypt(request.KeyId, plaintext, request.EncryptionContext)),
        };
    }

    private DecryptResponse Decrypt(DecryptRequest request)
    {
        Requests.Enqueue(request);
        var (keyId, plaintext) = DecryptBlob(request.CiphertextBlob.ToArray(), request.EncryptionContext);
        if (request.KeyId is { Length: > 0 } expected && expected != keyId)
        {
            throw new IncorrectKeyException($"The ciphertext was encrypted under {keyId}, not {expected}.");
        }

        return new DecryptResponse { KeyId = keyId, Plaintext = new MemoryStream(plaintext) };
    }

    private ReEncryptResponse ReEncrypt(ReEncryptRequest request)
    {
        Requests.Enqueue(request);
        var (sourceKeyId, plaintext) = DecryptBlob(request.CiphertextBlob.ToArray(), request.SourceEncryptionContext);
        return new ReEncryptResponse
        {
            SourceKeyId = sourceKeyId,
            KeyId = request.DestinationKeyId,
            CiphertextBlob = new MemoryStream(Encrypt(request.DestinationKeyId, plaintext, request.DestinationEncryptionContext)),
        };
    }

    private byte[] Encrypt(string keyId, byte[] plaintext, Dictionary<string, string>? context)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new NotFoundException($"Key '{keyId}' does not exist.");
        }

        var id = Encoding.UTF8.GetBytes(keyId);
        var blob = new byte[1 + id.Length + 12 + plaintext.Length + 16];
        blob[0] = checked((byte)id.Length);
        id.CopyTo(blob, 1);
        var nonce = blob.AsSpan(1 + id.Length, 12);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(key, 16);
        gcm.Encrypt(nonce, plaintext, blob.AsSpan(13 + id.Length, plaintext.Length), blob.AsSpan(13 + id.Length + plaintext.Length), Aad(context));
        return blob;
    }

    private (string KeyId, byte[] Plaintext) DecryptBlob(byte[] blob, Dictionary<string, string>? context)
    {
        if (blob.Length < 1 + 12 + 16 || blob.Length < 1 + blob[0] + 12 + 16)
        {
            throw new InvalidCiphertextException("The ciphertext blob is malformed.");
        }

        string keyId = Encoding.UTF8.GetString(blob, 1, blob[0]);
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new NotFoundException($"Key '{keyId}' does not exist (deleted).");
        }

        int at = 1 + blob[0];
        var plaintext = new byte[blob.Length - at - 12 - 16];
        try
        {
            using var gcm = new AesGcm(key, 16);
            gcm.Decrypt(blob.AsSpan(at, 12), blob.AsSpan(at + 12, plaintext.Length), blob.AsSpan(blob.Length - 16), plaintext, Aad(context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidCiphertextException("The ciphertext or its encryption context is not the one it was encrypted with.");
        }

        return (keyId, plaintext);
    }

    /// <summary>The encryption context as bytes: pairs sorted by key, each length-prefixed, as KMS binds it.</summary>
    private static byte[] Aad(Dictionary<string, string>? context)
    {
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var (name, value) in (context ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var text in new[] { name, value })
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
                output.Write(length);
                output.Write(bytes);
            }
        }

        return output.ToArray();
    }
}
