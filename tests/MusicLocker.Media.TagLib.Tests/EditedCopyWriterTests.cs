using System.Security.Cryptography;
using MusicLocker.Testing;

namespace MusicLocker.Media.TagLib.Tests;

/// <summary>
/// Edited copies: the tags read back (by our prober and by TagLibSharp) are the edits, and the audio payload of the
/// copy is byte-identical to the original's — same length, same SHA-256 over the ranges our prober names.
/// </summary>
public sealed class EditedCopyWriterTests
{
    private static readonly MediaProber Prober = new();

    internal static string Fixture(string name) => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", name);

    public static TheoryData<string> Editable => new(
        "mp3/id3v23-full.mp3", "mp3/id3v22.mp3", "mp3/id3v23-unsync.mp3", "mp3/id3v24-frame-unsync-footer.mp3", "mp3/id3v24-multi.mp3",
        "mp3/big-cover.mp3", "mp3/ape-lyrics-id3v1.mp3", "mp3/vbr-noheader.mp3", "mp3/stacked-id3-junk.mp3", "mp3/appended-id3v24.mp3",
        "m4a/faststart-tagged.m4a", "m4a/moov-at-end.m4a", "m4a/big-cover-moov-at-end.m4a", "m4a/itunsmpb-gnre.m4a", "m4a/co64-largesize.m4a",
        "m4a/audiobook.m4b");

    private static readonly byte[] Png =
        Convert.FromHexString("89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C4890000000D4944415478DA63F8FFFF3F0005FE02FEA7D6A4C40000000049454E44AE426082");

    private static TagEdits AllEdits => new()
    {
        Title = "Punk To Funk",
        Artist = "Ünïcødé Artist",
        Album = "Edited Album",
        AlbumArtist = "Various",
        TrackNumber = 4,
        TrackCount = 11,
        DiscNumber = 2,
        DiscCount = 3,
        Year = 1987,
        Genre = "Funk",
        CoverArt = new CoverArtEdit { Data = Png, MimeType = "image/png" },
    };

    private static async Task<(byte[] Copy, EditedCopy Result, MediaInfo Original, byte[] OriginalBytes)> EditAsync(string fixture, TagEdits edits, EditedCopyOptions? options = null)
    {
        var bytes = File.ReadAllBytes(Fixture(fixture));
        var info = Prober.Probe(bytes);
        using var destination = new MemoryStream();
        using var source = new MemoryStream(bytes, writable: false);
        var result = await new EditedCopyWriter(options).WriteAsync(source, info, edits, destination, TestContext.Current.CancellationToken);
        return (destination.ToArray(), result, info, bytes);
    }

    [Theory]
    [MemberData(nameof(Editable))]
    public async Task The_copy_has_the_edits_and_the_same_audio_payload_byte_for_byte(string fixture)
    {
        var (copy, result, original, originalBytes) = await EditAsync(fixture, AllEdits);

        var edited = Prober.Probe(copy);
        Assert.Equal(copy.Length, result.Length);
        Assert.Equal(edited.AudioOffset, result.AudioOffset);
        Assert.Equal(original.AudioLength, edited.AudioLength);
        Assert.Equal(
            Convert.ToHexString(SHA256.HashData(originalBytes.AsSpan((int)original.AudioOffset, (int)original.AudioLength))),
            Convert.ToHexString(SHA256.HashData(copy.AsSpan((int)edited.AudioOffset, (int)edited.AudioLength))));
        Assert.Equal(original.FrameCount, edited.FrameCount);
        Assert.Equal(original.PlayableSamples, edited.PlayableSamples);

        var t = edited.Tags;
        Assert.Equal(("Punk To Funk", "Ünïcødé Artist", "Edited Album", "Various"), (t.Title, t.Artist, t.Album, t.AlbumArtist));
        Assert.Equal((4, 11, 2, 3), (t.TrackNumber, t.TrackCount, t.DiscNumber, t.DiscCount));
        Assert.Equal((1987, "Funk"), (t.Year, t.Genre));
        var cover = Assert.Single(edited.Pictures);
        Assert.Equal("image/png", cover.MimeType);
        Assert.Equal(Png, await MediaProber.ReadCoverArtAsync(new CountingSource(copy), cover, cancellationToken: TestContext.Current.CancellationToken));

        // TagLibSharp reads the same copy the same way.
        using var file = global::TagLib.File.Create(new ReadOnlyAbstraction(fixture, copy));
        Assert.Equal("Punk To Funk", file.Tag.Title);
        Assert.Equal(4u, file.Tag.Track);
        Assert.Equal(1987u, file.Tag.Year);
    }

    [Theory]
    [InlineData(Id3v2Version.V23, TagFormat.Id3v23)]
    [InlineData(Id3v2Version.V24, TagFormat.Id3v24)]
    [InlineData(Id3v2Version.Default, TagFormat.Id3v24)]
    public async Task An_mp3_copy_carries_one_tag_of_the_version_asked_for(Id3v2Version version, TagFormat format)
    {
        // ape-lyrics-id3v1.mp3 has ID3v2, APEv2, Lyrics3 and ID3v1: the copy carries only the edited ID3v2.
        var (copy, _, _, _) = await EditAsync("mp3/ape-lyrics-id3v1.mp3", new TagEdits { Title = "One tag" }, new EditedCopyOptions { Id3v2Version = version });

        var edited = Prober.Probe(copy);
        Assert.Equal([format], edited.Tags.Formats);
        Assert.Equal("One tag", edited.Tags.Title);
    }

    [Theory]
    [InlineData("mp3/ape-lyrics-id3v1.mp3")]
    [InlineData("mp3/stacked-id3-junk.mp3")]
    [InlineData("mp3/appended-id3v24.mp3")]
    public async Task Values_and_a_cover_the_original_held_only_in_tags_the_copy_drops_are_carried_into_its_id3v2(string fixture)
    {
        var original = Prober.Probe(File.ReadAllBytes(Fixture(fixture)));
        var (copy, _, _, _) = await EditAsync(fixture, new TagEdits { Title = "Only the title" });

        var edited = Prober.Probe(copy);
        Assert.Equal("Only the title", edited.Tags.Title);
        var (a, b) = (original.Tags, edited.Tags);
        Assert.Equal((a.Artist, a.Album, a.AlbumArtist, a.Genre, a.Comment), (b.Artist, b.Album, b.AlbumArtist, b.Genre, b.Comment));
        Assert.Equal((a.Year, a.TrackNumber, a.TrackCount, a.DiscNumber, a.DiscCount), (b.Year, b.TrackNumber, b.TrackCount, b.DiscNumber, b.DiscCount));
        Assert.Equal(original.CoverArt is null, edited.CoverArt is null);
        if (original.CoverArt is { } cover)
        {
            var ct = TestContext.Current.CancellationToken;
            Assert.Equal(
                await MediaProber.ReadCoverArtAsync(new CountingSource(File.ReadAllBytes(Fixture(fixture))), cover, cancellationToken: ct),
                await MediaProber.ReadCoverArtAsync(new CountingSource(copy), edited.CoverArt!, cancellationToken: ct));
        }
    }

    [Fact]
    public async Task Null_keeps_and_empty_removes()
    {
        var original = Prober.Probe(File.ReadAllBytes(Fixture("mp3/id3v23-full.mp3")));
        var (copy, _, _, _) = await EditAsync("mp3/id3v23-full.mp3", new TagEdits { Title = "New", Album = string.Empty, TrackNumber = 0, RemoveCoverArt = true });

        var t = Prober.Probe(copy).Tags;
        Assert.Equal("New", t.Title);
        Assert.Equal(original.Tags.Artist, t.Artist);
        Assert.Null(t.Album);
        Assert.Null(t.TrackNumber);
    }

    [Fact]
    public async Task Removing_the_cover_leaves_no_picture()
    {
        var (copy, _, _, _) = await EditAsync("m4a/big-cover-moov-at-end.m4a", new TagEdits { RemoveCoverArt = true });

        Assert.Empty(Prober.Probe(copy).Pictures);
    }

    [Fact]
    public async Task An_mp3_without_any_tag_gets_one()
    {
        var bytes = File.ReadAllBytes(Fixture("mp3/vbr-noheader.mp3"));
        var info = Prober.Probe(bytes);
        var audio = bytes.AsSpan((int)info.AudioOffset, (int)info.AudioLength).ToArray();
        var bare = Prober.Probe(audio);
        using var destination = new MemoryStream();

        await new EditedCopyWriter().WriteAsync(new MemoryStream(audio), bare, new TagEdits { Title = "Tagged" }, destination, TestContext.Current.CancellationToken);

        var edited = Prober.Probe(destination.ToArray());
        Assert.Equal("Tagged", edited.Tags.Title);
        Assert.Equal(bare.FrameCount, edited.FrameCount);
    }

    [Fact]
    public async Task The_audio_is_read_by_ranges_never_the_whole_file_at_once()
    {
        var bytes = File.ReadAllBytes(Fixture("m4a/big-cover-moov-at-end.m4a"));
        var info = Prober.Probe(bytes);
        var source = new CountingSource(bytes);
        using var destination = new MemoryStream();

        await new EditedCopyWriter(new EditedCopyOptions { CopyBufferSize = 4096 }).WriteAsync(source, info, new TagEdits { Title = "x" }, destination, TestContext.Current.CancellationToken);

        Assert.True(source.LargestRead <= Math.Max(4096, bytes.Length - info.AudioLength), $"largest read {source.LargestRead}");
        Assert.True(source.LargestRead < bytes.Length);
    }

    [Theory]
    [InlineData("mp3/id3v23-full.mp3", Id3v2Version.V24)]
    [InlineData("mp3/id3v23-full.mp3", Id3v2Version.V23)]
    [InlineData("m4a/faststart-tagged.m4a", Id3v2Version.Default)]
    [InlineData("m4a/moov-at-end.m4a", Id3v2Version.Default)]
    public async Task The_compilation_flag_is_written_and_removed_with_the_audio_untouched(string fixture, Id3v2Version version)
    {
        var (copy, result, original, originalBytes) = await EditAsync(fixture, new TagEdits { Compilation = true, Id3v2Version = version });
        var marked = Prober.Probe(copy);
        Assert.True(marked.Tags.Compilation);
        Assert.Equal(result.AudioOffset, marked.AudioOffset);
        Assert.Equal(
            SHA256.HashData(originalBytes.AsSpan((int)original.AudioOffset, (int)original.AudioLength)),
            SHA256.HashData(copy.AsSpan((int)marked.AudioOffset, (int)marked.AudioLength)));
        using (var file = global::TagLib.File.Create(new ReadOnlyAbstraction(fixture, copy)))
        {
            // TagLibSharp reads TCMP / cpil too.
            bool flag = file.GetTag(global::TagLib.TagTypes.Id3v2) is global::TagLib.Id3v2.Tag id3
                ? id3.IsCompilation
                : ((global::TagLib.Mpeg4.AppleTag)file.GetTag(global::TagLib.TagTypes.Apple)).IsCompilation;
            Assert.True(flag);
        }

        var (unmarked, _, _, _) = await EditAsync(fixture, new TagEdits { Compilation = false });
        Assert.NotEqual(true, Prober.Probe(unmarked).Tags.Compilation);
    }

    [Theory]
    [InlineData(Id3v2Version.V24, Id3v2Version.V23, TagFormat.Id3v23)]
    [InlineData(Id3v2Version.V23, Id3v2Version.V24, TagFormat.Id3v24)]
    [InlineData(Id3v2Version.V23, Id3v2Version.Default, TagFormat.Id3v23)]
    public async Task The_id3v2_version_of_one_copy_overrides_the_writers_option(Id3v2Version writers, Id3v2Version asked, TagFormat expected)
    {
        var (copy, _, _, _) = await EditAsync("mp3/id3v24-multi.mp3", new TagEdits { Title = "x", Id3v2Version = asked }, new EditedCopyOptions { Id3v2Version = writers });
        Assert.Equal([expected], Prober.Probe(copy).Tags.Formats);
    }

    [Fact]
    public async Task A_cover_whose_bytes_are_not_its_mime_type_or_not_an_image_is_refused_naming_the_field()
    {
        var bytes = File.ReadAllBytes(Fixture("mp3/id3v23-full.mp3"));
        var info = Prober.Probe(bytes);
        var ct = TestContext.Current.CancellationToken;
        var lying = await Assert.ThrowsAsync<ArgumentException>(() => new EditedCopyWriter().WriteAsync(new MemoryStream(bytes), info, new TagEdits { CoverArt = new CoverArtEdit { Data = Png, MimeType = "image/jpeg" } }, new MemoryStream(), ct));
        Assert.Equal("edits.CoverArt.Data", lying.ParamName);
        var html = await Assert.ThrowsAsync<ArgumentException>(() => new EditedCopyWriter().WriteAsync(new MemoryStream(bytes), info, new TagEdits { CoverArt = new CoverArtEdit { Data = "<html>"u8.ToArray(), MimeType = "image/png" } }, new MemoryStream(), ct));
        Assert.Equal("edits.CoverArt.Data", html.ParamName);
        var version = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new EditedCopyWriter().WriteAsync(new MemoryStream(bytes), info, new TagEdits { Id3v2Version = (Id3v2Version)5 }, new MemoryStream(), ct));
        Assert.Equal("edits.Id3v2Version", version.ParamName);
    }

    [Fact]
    public async Task Hostile_callers_get_typed_errors()
    {
        var bytes = File.ReadAllBytes(Fixture("mp3/id3v23-full.mp3"));
        var info = Prober.Probe(bytes);
        var writer = new EditedCopyWriter();
        var ct = TestContext.Current.CancellationToken;

        // A different file than the one probed.
        var changed = await Assert.ThrowsAsync<MediaFormatException>(() => writer.WriteAsync(new MemoryStream(bytes[..^1]), info, new TagEdits(), new MemoryStream(), ct));
        Assert.Equal(MediaErrorCode.Corrupt, changed.ErrorCode);

        // ADTS has no tag to write.
        var adts = File.ReadAllBytes(Fixture("aac/lc-44k-stereo.aac"));
        var refused = await Assert.ThrowsAsync<MediaFormatException>(() => writer.WriteAsync(new MemoryStream(adts), Prober.Probe(adts), new TagEdits(), new MemoryStream(), ct));
        Assert.Equal(MediaErrorCode.UnsupportedFormat, refused.ErrorCode);

        // A fragmented MP4 is refused rather than broken.
        var fragmented = File.ReadAllBytes(Fixture("m4a/fragmented.m4a"));
        Assert.Equal(MediaErrorCode.UnsupportedFormat, (await Assert.ThrowsAsync<MediaFormatException>(() => writer.WriteAsync(new MemoryStream(fragmented), Prober.Probe(fragmented), new TagEdits(), new MemoryStream(), ct))).ErrorCode);

        // A tag region larger than allowed.
        var small = new EditedCopyWriter(new EditedCopyOptions { MaxTagRegionSize = 64 * 1024 });
        var big = File.ReadAllBytes(Fixture("mp3/big-cover.mp3"));
        Assert.Equal(MediaErrorCode.LimitExceeded, (await Assert.ThrowsAsync<MediaFormatException>(() => small.WriteAsync(new MemoryStream(big), Prober.Probe(big), new TagEdits(), new MemoryStream(), ct))).ErrorCode);

        // Programmer errors name the option.
        Assert.Throws<ArgumentException>(() => { _ = writer.WriteAsync(new NonSeekable(), info, new TagEdits(), new MemoryStream(), ct); }); // thrown at the call
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(new MemoryStream(bytes), info, new TagEdits { CoverArt = new CoverArtEdit { Data = Png, MimeType = "image/png" }, RemoveCoverArt = true }, new MemoryStream(), ct));
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(new MemoryStream(bytes), info, new TagEdits { CoverArt = new CoverArtEdit { Data = Png, MimeType = "text/html" } }, new MemoryStream(), ct));
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => writer.WriteAsync(new MemoryStream(bytes), info, new TagEdits { TrackNumber = 70_000 }, new MemoryStream(), ct));
        Assert.Equal("edits.TrackNumber", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EditedCopyWriter(new EditedCopyOptions { MaxTagRegionSize = 1 }));
    }

    [Fact]
    public async Task Concurrent_edits_of_one_original_do_not_interfere()
    {
        var bytes = File.ReadAllBytes(Fixture("m4a/faststart-tagged.m4a"));
        var info = Prober.Probe(bytes);
        var writer = new EditedCopyWriter();
        var source = new CountingSource(bytes);

        var copies = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var destination = new MemoryStream();
            await writer.WriteAsync(source, info, new TagEdits { Title = $"Copy {i}" }, destination, TestContext.Current.CancellationToken);
            return destination.ToArray();
        }));

        for (int i = 0; i < copies.Length; i++)
        {
            Assert.Equal($"Copy {i}", Prober.Probe(copies[i]).Tags.Title);
        }
    }

    internal sealed class ReadOnlyAbstraction(string name, byte[] data) : global::TagLib.File.IFileAbstraction
    {
        private readonly MemoryStream _stream = new(data, writable: false);

        public string Name => name;

        public Stream ReadStream => _stream;

        public Stream WriteStream => throw new NotSupportedException();

        public void CloseStream(Stream stream)
        {
        }
    }

    private sealed class CountingSource(byte[] data) : IRandomAccessSource
    {
        private int _largest;

        public int LargestRead => _largest;

        public long Length => data.Length;

        public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = (int)Math.Clamp(data.Length - offset, 0, buffer.Length);
            int seen;
            do
            {
                seen = _largest;
            }
            while (n > seen && Interlocked.CompareExchange(ref _largest, n, seen) != seen);

            data.AsMemory((int)offset, n).CopyTo(buffer);
            return ValueTask.FromResult(n);
        }
    }

    private sealed class NonSeekable : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
