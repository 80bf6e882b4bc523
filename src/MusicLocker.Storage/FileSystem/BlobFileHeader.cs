using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;

namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// The header at the start of every blob and part file: <c>"MLB1"</c>, a little-endian <c>uint32</c> length N, N bytes of
/// UTF-8 JSON (ETag, last modified, content type, metadata), then the blob's bytes. Keeping properties in the same file
/// as the bytes makes one rename publish both atomically, and keeps ETags stable across restarts.
/// </summary>
internal sealed class BlobFileHeader
{
    private const uint Magic = 0x3142_4C4D; // "MLB1" little-endian
    private const int MaxJsonLength = 64 * 1024;
    private const int FirstRead = 4096;

    [JsonPropertyName("etag")]
    public required string ETag { get; init; }

    [JsonPropertyName("lastModified")]
    public DateTimeOffset LastModified { get; init; }

    [JsonPropertyName("contentType")]
    public string? ContentType { get; init; }

    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; init; }

    private volatile BlobProperties? _properties;

    /// <summary>The offset of the first data byte.</summary>
    [JsonIgnore]
    public long DataOffset { get; private set; }

    public static string NewETag() => "\"" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "\"";

    public byte[] Serialize()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(this, FileSystemJsonContext.Default.BlobFileHeader);
        if (json.Length > MaxJsonLength)
        {
            // Validated headers are far smaller; never write a file that ReadAsync would call damaged.
            throw new BlobStoreException(BlobErrorCode.InvalidArgument, $"The blob's properties take {json.Length} bytes; the file-system store holds at most {MaxJsonLength}.");
        }

        var bytes = new byte[8 + json.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)json.Length);
        json.CopyTo(bytes, 8);
        DataOffset = bytes.Length;
        return bytes;
    }

    /// <summary>
    /// Serializes the header to exactly <paramref name="dataOffset"/> bytes, the JSON padded with spaces (JSON's own
    /// whitespace, so every reader of the format reads it): a multipart upload reserves that much room before its parts
    /// at its start, and completion writes the header there. <see langword="null"/> when the header does not fit.
    /// </summary>
    public byte[]? SerializeInto(int dataOffset)
    {
        byte[] compact = Serialize();
        if (compact.Length > dataOffset)
        {
            return null;
        }

        var bytes = new byte[dataOffset];
        compact.CopyTo(bytes, 0);
        bytes.AsSpan(compact.Length).Fill((byte)' ');
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(dataOffset - 8));
        DataOffset = dataOffset;
        return bytes;
    }

    /// <summary>
    /// The room a multipart upload reserves for its blob's header: the header with these properties at its longest
    /// (an ETag is always the same length; a time at its longest form), rounded up to whole 4 KiB pages.
    /// </summary>
    public static int ReservedLength(string? contentType, Dictionary<string, string>? metadata)
    {
        var longest = new BlobFileHeader
        {
            ETag = NewETag(),
            LastModified = new DateTimeOffset(2000, 12, 31, 23, 59, 59, TimeSpan.FromHours(-11)).AddTicks(1234567),
            ContentType = contentType,
            Metadata = metadata,
        };
        int length = longest.Serialize().Length + 64;
        return (length + 4095) / 4096 * 4096;
    }

    /// <summary>
    /// The properties of this version at <paramref name="fileLength"/>. A header shared through <see cref="BlobReadMemo"/>
    /// hands back the same (immutable) properties while the key and length are the ones it last made them for.
    /// </summary>
    public BlobProperties ToProperties(BlobKey key, long fileLength)
    {
        long length = fileLength - DataOffset;
        if (_properties is { } made && made.Length == length && made.Key == key)
        {
            return made;
        }

        var properties = new BlobProperties(key, length, new ETag(ETag), LastModified, ContentType, Metadata);
        _properties = properties;
        return properties;
    }

    /// <summary>
    /// Reads and checks the header of an open file. The read is a synchronous <c>pread</c>, like the open before it: on
    /// Unix <see cref="RandomAccess.ReadAsync(SafeFileHandle, Memory{byte}, long, CancellationToken)"/> of a regular file
    /// runs the same <c>pread</c> on a thread-pool thread, and that hop costs more than reading 4 KiB from the page cache
    /// (it was most of the store's fixed cost per ranged read).
    /// </summary>
    /// <param name="handle">The open file.</param>
    /// <param name="path">Its path, for errors.</param>
    /// <param name="memo">When given, the header parsed last from exactly the same bytes is returned instead of parsing them again.</param>
    public static BlobFileHeader Read(SafeFileHandle handle, string path, BlobReadMemo.Entry? memo = null)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(FirstRead);
        try
        {
            int read = RandomAccess.Read(handle, buffer.AsSpan(0, FirstRead), 0);
            if (read < 8 || BinaryPrimitives.ReadUInt32LittleEndian(buffer) != Magic)
            {
                throw Corrupt(path, "it does not start with the MLB1 header");
            }

            uint jsonLength = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(4));
            if (jsonLength > MaxJsonLength)
            {
                throw Corrupt(path, $"its header claims {jsonLength} bytes (at most {MaxJsonLength})");
            }

            int total = 8 + (int)jsonLength;
            if (total > read)
            {
                if (total > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(total);
                }

                read = RandomAccess.Read(handle, buffer.AsSpan(0, total), 0);
                if (read < total)
                {
                    throw Corrupt(path, "it ends inside its header");
                }
            }

            var bytes = buffer.AsSpan(0, total);
            if (memo?.Find(bytes) is { } seen)
            {
                return seen;
            }

            BlobFileHeader? header;
            try
            {
                header = JsonSerializer.Deserialize(buffer.AsSpan(8, (int)jsonLength), FileSystemJsonContext.Default.BlobFileHeader);
            }
            catch (JsonException ex)
            {
                throw Corrupt(path, "its header is not valid JSON", ex);
            }

            if (header is null || string.IsNullOrEmpty(header.ETag))
            {
                throw Corrupt(path, "its header has no ETag");
            }

            header.DataOffset = total;
            memo?.Remember(bytes, header);
            return header;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static BlobStoreException Corrupt(string path, string why, Exception? inner = null) =>
        new(BlobErrorCode.IntegrityCheckFailed, $"The store file '{path}' is damaged: {why}. Restore it from a backup or delete it.", null, inner);
}
