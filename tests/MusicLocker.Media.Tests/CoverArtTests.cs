namespace MusicLocker.Media.Tests;

/// <summary>Pictures are located, not copied; read on request they are byte for byte what mutagen extracts.</summary>
public sealed class CoverArtTests
{
    [Theory]
    [InlineData("mp3/id3v23-full.mp3", "image/jpeg", CoverArtEncoding.Plain)]
    [InlineData("mp3/id3v22.mp3", "image/jpeg", CoverArtEncoding.Plain)]
    [InlineData("mp3/id3v24-multi.mp3", "image/png", CoverArtEncoding.Plain)]
    [InlineData("mp3/big-cover.mp3", "image/jpeg", CoverArtEncoding.Plain)]
    [InlineData("mp3/id3v23-unsync.mp3", "image/jpeg", CoverArtEncoding.Unsynchronised)]
    [InlineData("mp3/id3v24-frame-unsync-footer.mp3", "image/jpeg", CoverArtEncoding.Unsynchronised)]
    [InlineData("mp3/ape-lyrics-id3v1.mp3", "image/png", CoverArtEncoding.Plain)]
    [InlineData("m4a/faststart-tagged.m4a", "image/jpeg", CoverArtEncoding.Plain)]
    [InlineData("m4a/co64-largesize.m4a", "image/jpeg", CoverArtEncoding.Plain)]
    public async Task The_cover_read_by_offset_is_the_picture_mutagen_extracts(string file, string mime, CoverArtEncoding encoding)
    {
        var data = Fixtures.Bytes(file);
        var source = new MemoryRandomAccessSource(data);
        var info = await new MediaProber().ProbeAsync(source, TestContext.Current.CancellationToken);

        var cover = Assert.Single(info.Pictures);
        Assert.Equal(mime, cover.MimeType);
        Assert.Equal(encoding, cover.Encoding);
        var bytes = await MediaProber.ReadCoverArtAsync(source, cover, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(Fixtures.MutagenPictureHashes(file)[0], Fixtures.Sha256(bytes));
    }

    [Fact]
    public void The_stream_parser_keeps_no_picture_bytes()
    {
        // 90 KB of picture pass through a parser whose largest buffer is the 8 KB picture prefix plus a few frames.
        var data = Fixtures.Bytes("mp3/big-cover.mp3");
        var parser = new MediaProber(new MediaProbeOptions { TailSize = 1024 }).CreateStreamParser();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < data.Length; i += 1000)
        {
            parser.Append(data.AsSpan(i, Math.Min(1000, data.Length - i)));
        }

        var info = parser.Complete();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(90_000, info.CoverArt!.Length);
        Assert.True(allocated < 60_000, $"allocated {allocated} bytes");
    }
}
