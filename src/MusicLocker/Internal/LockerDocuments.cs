using System.Text.Json;
using System.Text.Json.Serialization;
using MusicLocker.Media;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>The sidecar of a stored track (<c>….info</c>): what the upload's pass learned, read back by details and cover art.</summary>
internal sealed record StoredTrackInfo(
    string Container,
    string CodecProfile,
    string ContentType,
    int SampleRate,
    int Channels,
    long EncodedSamples,
    long PlayableSamples,
    int EncoderDelay,
    int EncoderPadding,
    long AudioOffset,
    long AudioLength,
    string? CoverMimeType,
    long CoverOffset,
    long CoverLength,
    int CoverEncoding,
    int CoverSource,
    byte[]? SeekIndex)
{
    public static StoredTrackInfo From(MediaInfo info) => new(
        info.Container.ToString().ToLowerInvariant(),
        info.CodecProfile,
        ContentTypeOf(info.Container),
        info.SampleRate,
        info.Channels,
        info.EncodedSamples,
        info.PlayableSamples,
        info.EncoderDelay,
        info.EncoderPadding,
        info.AudioOffset,
        info.AudioLength,
        info.CoverArt?.MimeType,
        info.CoverArt?.Offset ?? 0,
        info.CoverArt?.Length ?? 0,
        (int)(info.CoverArt?.Encoding ?? CoverArtEncoding.Plain),
        (int)(info.CoverArt?.Source ?? 0),
        info.SeekIndex?.ToArray());

    public static string ContentTypeOf(MediaContainer container) => container switch
    {
        MediaContainer.Mp3 => "audio/mpeg",
        MediaContainer.Adts => "audio/aac",
        _ => "audio/mp4",
    };

    public CoverArtInfo? Cover => CoverMimeType is null
        ? null
        : new CoverArtInfo { MimeType = CoverMimeType, Offset = CoverOffset, Length = CoverLength, Encoding = (CoverArtEncoding)CoverEncoding, Source = (TagFormat)CoverSource };

    public TrackDetails ToDetails() => new()
    {
        Container = Container,
        CodecProfile = CodecProfile,
        SampleRate = SampleRate,
        Channels = Channels,
        EncodedSamples = EncodedSamples,
        PlayableSamples = PlayableSamples,
        EncoderDelay = EncoderDelay,
        EncoderPadding = EncoderPadding,
        AudioOffset = AudioOffset,
        AudioLength = AudioLength,
        CoverArtMimeType = CoverMimeType,
        SeekIndex = SeekIndex ?? [],
    };
}

/// <summary>
/// An open upload's manifest (<c>uploads/….json</c>): what the source must be for a resume to continue it. Written at the
/// start (size, part size, name), again after each stored part with the SHA-256 of the source's first
/// <see cref="VerifiedBytes"/> bytes (a resume re-hashes that prefix of its local file and refuses another file before
/// it stores anything), and once the whole source is read with both hashes (<see cref="VerifiedBytes"/> = size: the
/// prefix hash is then the content hash). <see cref="FastStart"/>: the upload stores the fast-start rewrite of the
/// source (sizes and hashes are then the rewritten file's), so a resume rewrites its local file the same way.
/// </summary>
internal sealed record UploadManifest(long SizeBytes, int PartSize, string FileName, long VerifiedBytes = 0, string? PrefixHash = null, string? AudioHash = null, bool FastStart = false)
{
    /// <summary>The whole source's SHA-256, once it has been read to the end; else null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ContentHash => VerifiedBytes == SizeBytes ? PrefixHash : null;
}

[JsonSerializable(typeof(StoredTrackInfo))]
[JsonSerializable(typeof(UploadManifest))]
internal sealed partial class LockerJsonContext : JsonSerializerContext
{
}

/// <summary>Small JSON documents kept in the object store next to the audio (encrypted like it).</summary>
internal static class LockerDocuments
{
    private const int MaxDocumentBytes = 32 * 1024 * 1024;

    public static Task<BlobProperties> WriteAsync<T>(IBlobStore store, BlobKey key, T document, CancellationToken cancellationToken)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(document, typeof(T), LockerJsonContext.Default);
        return store.PutBytesAsync(key, json, new PutBlobOptions { ContentType = "application/json" }, cancellationToken);
    }

    public static async Task<T> ReadAsync<T>(IBlobStore store, BlobKey key, CancellationToken cancellationToken)
    {
        byte[] json = await store.ReadAllBytesAsync(key, null, MaxDocumentBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return (T?)JsonSerializer.Deserialize(json, typeof(T), LockerJsonContext.Default)
                ?? throw new LockerException(LockerErrorCode.Inconsistent, $"The locker document '{key}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new LockerException(LockerErrorCode.Inconsistent, $"The locker document '{key}' is not valid: {ex.Message}", ex);
        }
    }
}
