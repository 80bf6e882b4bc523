using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>
/// A multipart upload on Azure, where the service keeps no upload object: its parts are uncommitted blocks of the blob whose
/// ids name the upload, and what completion needs (content type, metadata, conditions) travels in the upload id itself,
/// so any process holding the id can resume and complete it.
/// </summary>
/// <remarks>
/// Block ids (text before base64) are <c>{upload:32 hex}{kind:5}{stamp:16 hex}</c>, 53 ASCII characters for every block of
/// every blob (Azure needs one length per blob): kind is the part number (<c>00001</c>–<c>10000</c>), <c>start</c> (the
/// upload exists) or <c>abort</c> (it was aborted). The stamp (UTC ticks, strictly increasing per process) orders the
/// uploads of one part number, so the latest one is the part and an older ETag is stale.
/// </remarks>
internal sealed record AzureUpload(string Id, string? ContentType, Dictionary<string, string>? Metadata, BlobRequestConditions? Conditions)
{
    public const string StartKind = "start";
    public const string AbortKind = "abort";
    public const int BlockIdLength = 32 + 5 + 16;
    private static long _lastStamp;

    /// <summary>A block id as the service takes it: the base64 of its ASCII text.</summary>
    public static string EncodeBlockId(string id) => Convert.ToBase64String(Encoding.ASCII.GetBytes(id));

    /// <summary>The text of a base64 block id, or <see langword="null"/> for one another client wrote that is not base64 of text.</summary>
    public static string? DecodeBlockId(string base64)
    {
        Span<byte> bytes = stackalloc byte[96];
        return Convert.TryFromBase64String(base64, bytes, out int written) ? Encoding.ASCII.GetString(bytes[..written]) : null;
    }

    public static AzureUpload New(PutBlobOptions? options) => new(
        Guid.NewGuid().ToString("N"),
        options?.ContentType,
        options?.Metadata is null ? null : BlobStoreValidation.NormalizeMetadata(options.Metadata),
        options?.Conditions);

    /// <summary>The upload id: the 32-hex id, then (when there is state) <c>.</c> and the state as base64url JSON.</summary>
    public string Encode()
    {
        if (ContentType is null && Metadata is null && Conditions is null)
        {
            return Id;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (ContentType is not null)
            {
                json.WriteString("ct", ContentType);
            }

            if (Metadata is not null)
            {
                json.WriteStartObject("md");
                foreach (var (name, value) in Metadata)
                {
                    json.WriteString(name, value);
                }

                json.WriteEndObject();
            }

            if (Conditions?.IfMatch is { } ifMatch)
            {
                json.WriteString("im", ifMatch.Value);
            }

            if (Conditions?.IfNoneMatchAny == true)
            {
                json.WriteBoolean("inm", true);
            }

            json.WriteEndObject();
        }

        return Id + "." + Base64Url.EncodeToString(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    public static bool TryDecode(string uploadId, out AzureUpload upload)
    {
        upload = null!;
        int dot = uploadId.IndexOf('.', StringComparison.Ordinal);
        string id = dot < 0 ? uploadId : uploadId[..dot];
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        if (dot < 0)
        {
            upload = new AzureUpload(id, null, null, null);
            return true;
        }

        try
        {
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(uploadId.AsSpan(dot + 1)));
            var root = doc.RootElement;
            string? contentType = root.TryGetProperty("ct", out var ct) ? ct.GetString() : null;
            Dictionary<string, string>? metadata = null;
            if (root.TryGetProperty("md", out var md))
            {
                metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var p in md.EnumerateObject())
                {
                    metadata[p.Name] = p.Value.GetString() ?? string.Empty;
                }
            }

            BlobRequestConditions? conditions = root.TryGetProperty("im", out var im) && im.GetString() is { Length: > 0 } etag
                ? BlobRequestConditions.Matching(new ETag(etag))
                : root.TryGetProperty("inm", out var inm) && inm.GetBoolean() ? BlobRequestConditions.CreateOnly : null;
            upload = new AzureUpload(id, contentType, metadata, conditions);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    public string BlockId(string kind, TimeProvider time) => Id + kind + NextStamp(time).ToString("x16", CultureInfo.InvariantCulture);

    public static string PartKind(int partNumber) => partNumber.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>Splits a block id of this scheme; false for blocks other clients (or other schemes) wrote.</summary>
    public static bool TryParseBlockId(string blockId, out string uploadId, out string kind, out long stamp)
    {
        uploadId = kind = string.Empty;
        stamp = 0;
        if (blockId.Length != BlockIdLength
            || !long.TryParse(blockId.AsSpan(37), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out stamp))
        {
            return false;
        }

        uploadId = blockId[..32];
        kind = blockId[32..37];
        return true;
    }

    /// <summary>
    /// The state of this upload among a blob's uncommitted blocks: whether it is live (started, not aborted) and, per part
    /// number, the latest block.
    /// </summary>
    public (bool Live, SortedDictionary<int, (string Id, long Size)> Parts) Find(List<(string Id, long Size)> blocks)
    {
        bool started = false, aborted = false;
        var latest = new SortedDictionary<int, (string Id, long Size)>();
        var stamps = new Dictionary<int, long>();
        foreach (var (blockId, size) in blocks)
        {
            if (!TryParseBlockId(blockId, out var upload, out var kind, out long stamp) || upload != Id)
            {
                continue;
            }

            if (kind == StartKind)
            {
                started = true;
            }
            else if (kind == AbortKind)
            {
                aborted = true;
            }
            else if (int.TryParse(kind, NumberStyles.None, CultureInfo.InvariantCulture, out int part) && (!stamps.TryGetValue(part, out long seen) || stamp > seen))
            {
                stamps[part] = stamp;
                latest[part] = (blockId, size);
            }
        }

        return (started && !aborted, latest);
    }

    /// <summary>UTC ticks, strictly increasing within this process (two uploads of one part in the same tick still order).</summary>
    private static long NextStamp(TimeProvider time)
    {
        long now = time.GetUtcNow().UtcTicks;
        while (true)
        {
            long last = Interlocked.Read(ref _lastStamp);
            long next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _lastStamp, next, last) == last)
            {
                return next;
            }
        }
    }
}
