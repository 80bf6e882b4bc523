using System.Globalization;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;

namespace MusicLocker.Crypto.Internal;

/// <summary>
/// What the store keeps beside an object's ciphertext, in its metadata: the 64-byte header (prefix, salt, commitment;
/// also at the start of the ciphertext) so a range read needs no second request, and the wrapped data key with the user
/// key version it is wrapped under.
/// </summary>
internal sealed class EncryptedObject
{
    public const string HeaderMetadata = "mlc-header";
    public const string KeyMetadata = "mlc-key";

    private EncryptedObject(BlobProperties stored, byte[] header, int keyVersion, byte[] wrappedDataKey, long plaintextLength, BlobProperties plain)
    {
        Stored = stored;
        Header = header;
        KeyVersion = keyVersion;
        WrappedDataKey = wrappedDataKey;
        PlaintextLength = plaintextLength;
        Plain = plain;
    }

    public BlobProperties Stored { get; }

    public byte[] Header { get; }

    public int KeyVersion { get; }

    public byte[] WrappedDataKey { get; }

    public long PlaintextLength { get; }

    /// <summary>The properties a caller sees: plaintext length, no metadata of ours.</summary>
    public BlobProperties Plain { get; }

    public static bool IsReservedMetadata(string name) => name.StartsWith("mlc-", StringComparison.OrdinalIgnoreCase);

    public static string FormatKey(int version, ReadOnlySpan<byte> wrapped) =>
        string.Create(CultureInfo.InvariantCulture, $"{version}:{Convert.ToBase64String(wrapped)}");

    public static EncryptedObject Parse(BlobProperties stored)
    {
        string key = stored.Key.Value;
        if (!stored.Metadata.TryGetValue(HeaderMetadata, out var headerText) || !stored.Metadata.TryGetValue(KeyMetadata, out var keyText))
        {
            throw new EncryptionException(EncryptionErrorCode.UnsupportedFormat, $"Blob '{key}' has no encryption metadata: it was not written through EncryptedBlobStore.", key);
        }

        byte[] header;
        int colon = keyText.IndexOf(':', StringComparison.Ordinal);
        byte[] wrapped;
        int version;
        try
        {
            header = Convert.FromBase64String(headerText);
            version = colon > 0 ? int.Parse(keyText.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture) : throw new FormatException("no ':'");
            wrapped = Convert.FromBase64String(keyText[(colon + 1)..]);
        }
        catch (FormatException ex)
        {
            throw new EncryptionException(EncryptionErrorCode.UnsupportedFormat, $"Blob '{key}' has malformed encryption metadata: {ex.Message}", key, ex);
        }

        if (header.Length != CiphertextLayout.HeaderSize)
        {
            throw new EncryptionException(EncryptionErrorCode.UnsupportedFormat, $"Blob '{key}' records a {header.Length}-byte header; the format's is {CiphertextLayout.HeaderSize}.", key);
        }

        if (FormatPrefix.Validate(header) is { } problem)
        {
            throw new EncryptionException(EncryptionErrorCode.UnsupportedFormat, $"Blob '{key}': {problem}.", key);
        }

        long length = PlaintextLengthOf(stored.Key, stored.Length);
        return new EncryptedObject(stored, header, version, wrapped, length, ToPlain(stored, length));
    }

    /// <summary>The plaintext properties of a stored version, from its ciphertext length alone.</summary>
    public static BlobProperties ToPlain(BlobProperties stored) => ToPlain(stored, PlaintextLengthOf(stored.Key, stored.Length));

    public static bool TryPlaintextLengthOf(long ciphertextLength, out long plaintextLength) =>
        CiphertextLayout.TryGetPlaintextLength(ciphertextLength - CiphertextLayout.HeaderSize, out plaintextLength);

    public static long PlaintextLengthOf(BlobKey key, long ciphertextLength)
    {
        if (!CiphertextLayout.TryGetPlaintextLength(ciphertextLength - CiphertextLayout.HeaderSize, out long length))
        {
            throw new EncryptionException(EncryptionErrorCode.CiphertextInvalid, $"Blob '{key}' is {ciphertextLength} bytes, which no ciphertext of the format has: it was truncated or extended.", key.Value);
        }

        return length;
    }

    private static BlobProperties ToPlain(BlobProperties stored, long plaintextLength)
    {
        var metadata = new Dictionary<string, string>(stored.Metadata.Count, StringComparer.Ordinal);
        foreach (var (name, value) in stored.Metadata)
        {
            if (!IsReservedMetadata(name))
            {
                metadata[name] = value;
            }
        }

        return new BlobProperties(stored.Key, plaintextLength, stored.ETag, stored.LastModified, stored.ContentType, metadata);
    }
}
