using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;

namespace MusicLocker.Crypto.Internal;

/// <summary>
/// What a multipart part needs to encrypt, carried in the upload id (<c>{inner id}.{base64url state}</c>) so any instance
/// resumes an upload after a restart: the part size, the header, the wrapped data key with its user key version, and
/// when the upload started. None of it is secret (the data key is wrapped), but all of it is authenticated: an
/// HMAC-SHA-256 under the upload key (derived from the data key, which only the key holder can unwrap) covers the state,
/// the blob key and the inner upload id, so a forged part size, key version or start time, a truncated id, or an id
/// moved to another blob or upload is refused before anything is encrypted.
/// </summary>
internal sealed class UploadState
{
    public const int UploadKeySize = 32;

    private const byte Format = 2;
    private const int MacSize = 32;

    /// <summary>The longest upload id decoded: the inner store's id (S3's and Azure's are a few hundred characters) and our ~500-character state.</summary>
    private const int MaxIdLength = 8 * 1024;
    private const int FixedSize = 1 + 4 + 4 + 8 + CiphertextLayout.HeaderSize + 1;

    private static ReadOnlySpan<byte> StateLabel => "musiclocker.org/upload-state@v1\0"u8;

    private static ReadOnlySpan<byte> PartLabel => "musiclocker.org/upload-part-tags@v2\0"u8;

    private static ReadOnlySpan<byte> UploadKeyLabel => "musiclocker.org/upload-key@v1\0"u8;

    private readonly byte[] _body;
    private readonly byte[] _mac;

    private UploadState(string innerUploadId, byte[] body, byte[] mac)
    {
        InnerUploadId = innerUploadId;
        _body = body;
        _mac = mac;
    }

    public string InnerUploadId { get; }

    public int PartSize => BinaryPrimitives.ReadInt32BigEndian(_body.AsSpan(1));

    public int KeyVersion => BinaryPrimitives.ReadInt32BigEndian(_body.AsSpan(5));

    public DateTimeOffset StartedAt => DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(_body.AsSpan(9)));

    public byte[] Header => _body[17..(17 + CiphertextLayout.HeaderSize)];

    public byte[] WrappedDataKey => _body[FixedSize..];

    /// <summary>The key that authenticates an upload's state and its part claims: HKDF-Expand-SHA-512(data key, label ‖ context).</summary>
    public static void DeriveUploadKey(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context, Span<byte> uploadKey) =>
        HkdfSha512.Expand(dataKey, uploadKey[..UploadKeySize], UploadKeyLabel, context);

    public static string Encode(BlobKey key, string innerUploadId, int partSize, byte[] header, int keyVersion, byte[] wrappedDataKey, DateTimeOffset startedAt, ReadOnlySpan<byte> uploadKey)
    {
        var body = new byte[FixedSize + wrappedDataKey.Length];
        body[0] = Format;
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(1), partSize);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(5), keyVersion);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(9), startedAt.ToUnixTimeSeconds());
        header.CopyTo(body, 17);
        body[FixedSize - 1] = checked((byte)wrappedDataKey.Length);
        wrappedDataKey.CopyTo(body, FixedSize);
        return innerUploadId + "." + Base64Url.EncodeToString([.. body, .. Mac(uploadKey, key, innerUploadId, body)]);
    }

    /// <summary>Parses the id; nothing in it is trusted until <see cref="Verify"/> passed.</summary>
    public static UploadState Decode(MultipartUpload upload)
    {
        string id = upload.UploadId;
        int dot = id.LastIndexOf('.');
        try
        {
            if (id.Length > MaxIdLength)
            {
                throw new FormatException($"{id.Length} characters; an id this store issues has at most {MaxIdLength}");
            }

            if (dot <= 0)
            {
                throw new FormatException("no '.'");
            }

            var bytes = Base64Url.DecodeFromChars(id.AsSpan(dot + 1));
            if (bytes.Length < FixedSize + MacSize || bytes[0] != Format || bytes.Length != FixedSize + bytes[FixedSize - 1] + MacSize)
            {
                throw new FormatException("unknown layout");
            }

            return new UploadState(id[..dot], bytes[..^MacSize], bytes[^MacSize..]);
        }
        catch (FormatException ex)
        {
            throw Invalid(upload, ex.Message, ex);
        }
    }

    public static EncryptionException Invalid(MultipartUpload upload, string what, Exception? inner = null) =>
        new(EncryptionErrorCode.UploadIdInvalid, $"Upload id '{EncryptionErrors.Quote(upload.UploadId)}' of blob '{upload.Key}' was not issued by EncryptedBlobStore for this blob, or was modified ({what}).", upload.Key.Value, inner);

    /// <summary>Whether the state was issued under <paramref name="uploadKey"/> for this blob and inner upload (constant time).</summary>
    public bool Verify(ReadOnlySpan<byte> uploadKey, BlobKey key) =>
        CryptographicOperations.FixedTimeEquals(Mac(uploadKey, key, InnerUploadId, _body), _mac);

    /// <summary>
    /// The claim a part number's body makes: HMAC-SHA-256 under the upload key of the part number, the plaintext length
    /// and the GCM tag of each chunk of the part's ciphertext (<paramref name="chunks"/>, the part without the header).
    /// The nonces of a part are fixed by its number, and under one key and nonce a chunk's tag authenticates its
    /// ciphertext, hence its plaintext: two bodies with equal claims are equal but with probability of a GCM forgery.
    /// The empty body (length 0, no chunks) is also the claim completion makes for the empty final chunk's part number.
    /// </summary>
    public static byte[] PartClaim(ReadOnlySpan<byte> uploadKey, int partNumber, long plaintextLength, ReadOnlySpan<byte> chunks)
    {
        using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, uploadKey);
        Span<byte> fields = stackalloc byte[12];
        BinaryPrimitives.WriteInt32BigEndian(fields, partNumber);
        BinaryPrimitives.WriteInt64BigEndian(fields[4..], plaintextLength);
        mac.AppendData(PartLabel);
        mac.AppendData(fields);
        while (!chunks.IsEmpty)
        {
            int chunk = Math.Min(chunks.Length, CiphertextLayout.EncryptedChunkSize);
            mac.AppendData(chunks.Slice(chunk - CiphertextLayout.TagSize, CiphertextLayout.TagSize));
            chunks = chunks[chunk..];
        }

        return mac.GetHashAndReset();
    }

    /// <summary>The plaintext length of a stored part, and whether it ends with the message's short final chunk.</summary>
    public static (long Length, bool Final) PartPlaintext(BlobKey key, int partNumber, long ciphertextLength)
    {
        long body = ciphertextLength - (partNumber == 1 ? CiphertextLayout.HeaderSize : 0);
        long full = body / CiphertextLayout.EncryptedChunkSize;
        long rest = body % CiphertextLayout.EncryptedChunkSize;
        if (body < 0 || (rest > 0 && rest < CiphertextLayout.TagSize))
        {
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"Part {partNumber} of the upload to '{key}' is {ciphertextLength} bytes, which no encrypted part has.", key.Value);
        }

        return rest == 0 ? (full * CiphertextLayout.ChunkSize, false) : ((full * CiphertextLayout.ChunkSize) + rest - CiphertextLayout.TagSize, true);
    }

    private static byte[] Mac(ReadOnlySpan<byte> uploadKey, BlobKey key, string innerUploadId, ReadOnlySpan<byte> body)
    {
        using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, uploadKey);
        mac.AppendData(StateLabel);
        AppendField(mac, key.Value);
        AppendField(mac, innerUploadId);
        mac.AppendData(body);
        return mac.GetHashAndReset();
    }

    private static void AppendField(IncrementalHash mac, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        mac.AppendData(length);
        mac.AppendData(bytes);
    }
}
