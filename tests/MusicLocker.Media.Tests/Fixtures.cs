using System.Security.Cryptography;
using System.Text.Json;
using MusicLocker.Testing;

namespace MusicLocker.Media.Tests;

/// <summary>The committed fixtures of tests/fixtures (made by make-fixtures.sh) and their oracle values.</summary>
internal static class Fixtures
{
    private static readonly Lazy<JsonDocument> OracleDocument = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(Root, "oracles.json"))));

    public static string Root => System.IO.Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures");

    public static string Path(string name) => System.IO.Path.Combine(Root, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    /// <summary>Every accepted fixture (MP3, ADTS, MP4 that are not DRM-protected).</summary>
    public static readonly string[] Accepted =
    [
        "mp3/ape-lyrics-id3v1.mp3", "mp3/appended-id3v24.mp3", "mp3/big-cover.mp3", "mp3/cbr-info-lame.mp3", "mp3/id3v22.mp3",
        "mp3/id3v23-full.mp3", "mp3/id3v23-unsync.mp3", "mp3/id3v24-frame-unsync-footer.mp3", "mp3/id3v24-multi.mp3",
        "mp3/mpeg2-mono-22k-noheader.mp3", "mp3/mpeg25-mono-8k.mp3", "mp3/stacked-id3-junk.mp3", "mp3/truncated-noheader.mp3",
        "mp3/truncated-xing.mp3", "mp3/vbr-noheader.mp3", "mp3/vbr-xing-lame.mp3", "mp3/vbri.mp3",
        "aac/lc-22k-mono.aac", "aac/lc-44k-stereo.aac",
        "m4a/audiobook.m4b", "m4a/big-cover-moov-at-end.m4a", "m4a/co64-largesize.m4a", "m4a/fragmented.m4a", "m4a/faststart-tagged.m4a", "m4a/itunsmpb-gnre.m4a", "m4a/moov-at-end.m4a",
        "m4a/stsd-channels-mismatch.m4a", "m4a/truncated-moov-first.m4a",
    ];

    public static TheoryData<string> AcceptedData() => new(Accepted);

    public static JsonElement Oracle(string name) => OracleDocument.Value.RootElement.GetProperty(name);

    /// <summary>ffprobe -count_packets: the number of audio packets (frames) it read.</summary>
    public static int FfprobePackets(string name) => Oracle(name).GetProperty("ffprobe").GetProperty("packets").GetInt32();

    public static double MutagenLength(string name) => Oracle(name).GetProperty("mutagen").GetProperty("length").GetDouble();

    public static string? MutagenTag(string name, string key) =>
        Oracle(name).GetProperty("mutagen").GetProperty("tags").TryGetProperty(key, out var v)
            ? v.ValueKind == JsonValueKind.Array ? v[0].GetString() : v.GetString()
            : null;

    public static string[] MutagenPictureHashes(string name) =>
        Oracle(name).GetProperty("mutagen").GetProperty("pictureSha256").EnumerateArray().Select(e => e.GetString()!).ToArray();

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>A canonical text of everything a probe found, to compare two ways of probing the same bytes.</summary>
    public static string Describe(MediaInfo i, bool includeSource = true)
    {
        var t = i.Tags;
        var pictures = string.Join(",", i.Pictures.Select(p => $"{p.MimeType}@{p.Offset}+{p.Length}/{p.Encoding}"));
        var raw = string.Join("|", t.RawFields.Select(f => $"{f.Format}:{f.Key}={f.Value}"));
        string index = i.SeekIndex is null ? "-" : Convert.ToHexString(i.SeekIndex.ToArray());
        return $"{i.Container} {i.Codec} {i.CodecProfile} {i.SampleRate}Hz {i.Channels}ch frames={i.FrameCount} enc={i.EncodedSamples} play={i.PlayableSamples} "
            + $"{(includeSource ? i.DurationSource.ToString() : string.Empty)} kbps={i.BitrateKbps} vbr={i.IsVbr} delay={i.EncoderDelay} pad={i.EncoderPadding} fast={i.FastStart} "
            + $"audio={i.AudioOffset}+{i.AudioLength} len={i.FileLength} enc={i.Encoder}\n"
            + $"tags: {t.Title}|{t.Artist}|{t.AlbumArtist}|{t.Album}|{t.TrackNumber}/{t.TrackCount}|{t.DiscNumber}/{t.DiscCount}|{t.Year}|{t.Genre}|{t.Comment}|{t.Compilation}\n"
            + $"raw: {raw}\npictures: {pictures}\nindex: {index}\nwarnings: {string.Join("; ", i.Warnings)}";
    }
}

/// <summary>A stored object as an <see cref="IRandomAccessSource"/>, counting the range reads a probe makes.</summary>
internal sealed class BlobStoreSource(MusicLocker.Storage.IBlobStore store, MusicLocker.Storage.BlobKey key, long length) : IRandomAccessSource
{
    private int _reads;

    public int Reads => _reads;

    public long Length => length;

    public async ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return await MusicLocker.Storage.BlobStoreExtensions.ReadAtAsync(store, key, offset, buffer, null, cancellationToken);
    }
}
