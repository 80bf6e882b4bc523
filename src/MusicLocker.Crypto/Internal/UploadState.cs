using System.Buffers.Binary;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;

namespace MusicLocker.Crypto.Internal;

/// <summary>
/// What a multipart part needs to encrypt, carried in the upload id (<c>{inner id}.{base64url state}</c>) so any instance
/// resumes an upload after a restart: the part size, the header, and the wrapped data key with its user key version.
/// None of it is secret: the data key is wrapped.
/// </summary>
internal sealed record UploadState(string InnerUploadId, int PartSize, byte[] Header, int KeyVersion, byte[] WrappedDataKey)
{
    private const byte Format = 1;

    public string Encode()
    {
        var bytes = new byte[1 + 4 + 4 + CiphertextLayout.HeaderSize + 1 + WrappedDataKey.Length];
        bytes[0] = Format;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), PartSize);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(5), KeyVersion);
        Header.CopyTo(bytes, 9);
        bytes[9 + CiphertextLayout.HeaderSize] = checked((byte)WrappedDataKey.Length);
        WrappedDataKey.CopyTo(bytes, 10 + CiphertextLayout.HeaderSize);
        return InnerUploadId + "." + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static UploadState Decode(MultipartUpload upload)
    {
        string id = upload.UploadId;
        int dot = id.LastIndexOf('.');
        try
        {
            if (dot <= 0)
            {
                throw new FormatException("no '.'");
            }

            string text = id[(dot + 1)..].Replace('-', '+').Replace('_', '/');
            var bytes = Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
            int wrappedAt = 10 + CiphertextLayout.HeaderSize;
            if (bytes.Length < wrappedAt || bytes[0] != Format || bytes.Length != wrappedAt + bytes[wrappedAt - 1])
            {
                throw new FormatException("unknown layout");
            }

            return new UploadState(
                id[..dot],
                BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)),
                bytes[9..(wrappedAt - 1)],
                BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(5)),
                bytes[wrappedAt..]);
        }
        catch (FormatException ex)
        {
            throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"Upload id '{id}' of blob '{upload.Key}' was not issued by EncryptedBlobStore ({ex.Message}).", upload.Key.Value, ex);
        }
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
}
