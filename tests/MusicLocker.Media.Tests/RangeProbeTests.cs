using MusicLocker.Storage;
using MusicLocker.Storage.FileSystem;

namespace MusicLocker.Media.Tests;

/// <summary>
/// Probing a stored object by range reads: few reads, the same answer as a full pass. One suite, run against every
/// <see cref="IBlobStore"/> a test can start here (the cloud stores run it in their own suites' environment).
/// </summary>
public abstract class RangeProbeTests : IDisposable
{
    private readonly IBlobStore _store;

    protected RangeProbeTests()
    {
        _store = CreateStore();
    }

    protected abstract IBlobStore CreateStore();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    private async Task<BlobStoreSource> StoreAsync(string file)
    {
        var key = BlobKey.Parse("tracks/" + file);
        var props = await _store.PutBytesAsync(key, Fixtures.Bytes(file), cancellationToken: TestContext.Current.CancellationToken);
        return new BlobStoreSource(_store, key, props.Length);
    }

    [Theory]
    [InlineData("mp3/vbr-xing-lame.mp3", DurationSource.XingHeader)]
    [InlineData("mp3/cbr-info-lame.mp3", DurationSource.XingHeader)]
    [InlineData("mp3/id3v23-full.mp3", DurationSource.XingHeader)]
    [InlineData("mp3/id3v24-multi.mp3", DurationSource.XingHeader)]
    [InlineData("mp3/big-cover.mp3", DurationSource.XingHeader)]
    [InlineData("mp3/id3v22.mp3", DurationSource.XingHeader)]
    [InlineData("mp3/vbri.mp3", DurationSource.VbriHeader)]
    [InlineData("m4a/moov-at-end.m4a", DurationSource.SampleTable)]
    [InlineData("m4a/faststart-tagged.m4a", DurationSource.SampleTable)]
    [InlineData("m4a/co64-largesize.m4a", DurationSource.SampleTable)]
    [InlineData("m4a/itunsmpb-gnre.m4a", DurationSource.SampleTable)]
    [InlineData("m4a/audiobook.m4b", DurationSource.SampleTable)]
    public async Task A_file_with_a_frame_count_costs_at_most_4_range_reads(string file, DurationSource source)
    {
        var blob = await StoreAsync(file);

        var ranged = await new MediaProber(new MediaProbeOptions { RangeReadSize = 4096 }).ProbeAsync(blob, TestContext.Current.CancellationToken);

        Assert.InRange(blob.Reads, 1, 4);
        Assert.Equal(source, ranged.DurationSource);
        var streamed = new MediaProber().Probe(Fixtures.Bytes(file));
        Assert.Equal(streamed.FrameCount, ranged.FrameCount);
        Assert.Equal(streamed.PlayableSamples, ranged.PlayableSamples);
        Assert.Equal(streamed.Tags.RawFields, ranged.Tags.RawFields);
        Assert.Equal(streamed.Pictures, ranged.Pictures);
        Assert.Equal(streamed.AudioLength, ranged.AudioLength);
    }

    [Fact]
    public async Task The_big_cover_is_jumped_over_not_read()
    {
        var blob = await StoreAsync("mp3/big-cover.mp3");
        var info = await new MediaProber().ProbeAsync(blob, TestContext.Current.CancellationToken);

        Assert.Equal("After The Picture", info.Tags.Album); // the frame after the 90 KB picture
        Assert.Equal(90_000, info.CoverArt!.Length);
        Assert.True(blob.Reads <= 3, $"{blob.Reads} reads");
    }

    [Fact]
    public async Task A_cover_in_a_moov_after_mdat_is_jumped_over()
    {
        var blob = await StoreAsync("m4a/big-cover-moov-at-end.m4a");
        var info = await new MediaProber().ProbeAsync(blob, TestContext.Current.CancellationToken);

        Assert.Equal("After The M4A Picture", info.Tags.Album);
        Assert.Equal(90_000, info.CoverArt!.Length);
        Assert.False(info.FastStart);
        Assert.True(blob.Reads <= 3, $"{blob.Reads} reads");
    }

    [Theory]
    [InlineData("mp3/vbr-noheader.mp3")]
    [InlineData("aac/lc-44k-stereo.aac")]
    [InlineData("mp3/ape-lyrics-id3v1.mp3")]
    public async Task A_file_without_a_frame_count_is_streamed_once_and_walked(string file)
    {
        var blob = await StoreAsync(file);
        var info = await new MediaProber().ProbeAsync(blob, TestContext.Current.CancellationToken);

        Assert.Equal(DurationSource.FrameWalk, info.DurationSource);
        Assert.Equal(Fixtures.FfprobePackets(file), info.FrameCount);
        Assert.NotNull(info.SeekIndex);
        Assert.InRange(blob.Reads, 1, 4); // the head, one sequential pass (small files: one read), the tail
    }

    [Fact]
    public async Task A_cut_file_whose_xing_header_counts_more_is_walked()
    {
        // The Xing header says 97 frames and 34,055 bytes; the file was cut at two thirds: the header's count is a lie.
        var blob = await StoreAsync("mp3/truncated-xing.mp3");
        var ranged = await new MediaProber().ProbeAsync(blob, TestContext.Current.CancellationToken);
        var streamed = new MediaProber().Probe(Fixtures.Bytes("mp3/truncated-xing.mp3"));

        Assert.Equal(DurationSource.FrameWalk, ranged.DurationSource);
        Assert.Equal(streamed.FrameCount, ranged.FrameCount);
        Assert.InRange(ranged.FrameCount, 60, 70);
        Assert.Equal(Fixtures.FfprobePackets("mp3/truncated-xing.mp3"), ranged.FrameCount + 1); // ffprobe also counts the cut last frame
        Assert.Contains(ranged.Warnings, w => w.Message.Contains("cut short", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probe_file_reads_a_local_file()
    {
        var info = await new MediaProber().ProbeFileAsync(Fixtures.Path("m4a/faststart-tagged.m4a"), TestContext.Current.CancellationToken);
        Assert.Equal("M4A Title", info.Tags.Title);
    }
}

public sealed class FileSystemRangeProbeTests : RangeProbeTests
{
    private string? _folder;
    private FileSystemBlobStore? _store;

    protected override IBlobStore CreateStore()
    {
        _folder = Path.Combine(Path.GetTempPath(), "ml-media-" + Guid.NewGuid().ToString("N"));
        _store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder, FlushToDisk = false });
        return _store;
    }

    protected override void Dispose(bool disposing)
    {
        _store?.Dispose();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

public sealed class InMemoryRangeProbeTests : RangeProbeTests
{
    protected override IBlobStore CreateStore() => new MusicLocker.Storage.InMemory.InMemoryBlobStore();
}
