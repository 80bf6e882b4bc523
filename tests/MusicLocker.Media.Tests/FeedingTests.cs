namespace MusicLocker.Media.Tests;

/// <summary>
/// The push parser gives the same answer however the bytes arrive: whole, split at every position, one byte at a time,
/// in random chunks; and the range prober agrees with it.
/// </summary>
public sealed class FeedingTests
{
    private static readonly MediaProber Prober = new();

    private static MediaInfo Feed(byte[] data, IEnumerable<int> chunkSizes)
    {
        var parser = Prober.CreateStreamParser();
        int pos = 0;
        foreach (int size in chunkSizes)
        {
            if (pos >= data.Length)
            {
                break;
            }

            int n = Math.Min(size, data.Length - pos);
            parser.Append(data.AsSpan(pos, n));
            pos += n;
        }

        if (pos < data.Length)
        {
            parser.Append(data.AsSpan(pos));
        }

        return parser.Complete();
    }

    [Theory]
    [MemberData(nameof(Fixtures.AcceptedData), MemberType = typeof(Fixtures))]
    public void One_byte_at_a_time_equals_whole(string file)
    {
        var data = Fixtures.Bytes(file);
        string whole = Fixtures.Describe(Prober.Probe(data));

        Assert.Equal(whole, Fixtures.Describe(Feed(data, Enumerable.Repeat(1, data.Length))));
    }

    [Theory]
    [MemberData(nameof(Fixtures.AcceptedData), MemberType = typeof(Fixtures))]
    public void Random_chunks_equal_whole(string file)
    {
        var data = Fixtures.Bytes(file);
        string whole = Fixtures.Describe(Prober.Probe(data));
        var random = new Random(file.Length);
        for (int round = 0; round < 5; round++)
        {
            var sizes = Enumerable.Range(0, data.Length).Select(_ => random.Next(1, 5000)).ToArray();
            Assert.Equal(whole, Fixtures.Describe(Feed(data, sizes)));
        }
    }

    [Theory]
    [InlineData("mp3/mpeg25-mono-8k.mp3", 1)]
    [InlineData("mp3/appended-id3v24.mp3", 1)]
    [InlineData("aac/lc-22k-mono.aac", 1)]
    [InlineData("m4a/audiobook.m4b", 1)]
    [InlineData("mp3/id3v23-unsync.mp3", 1)]
    [InlineData("mp3/id3v24-frame-unsync-footer.mp3", 3)]
    [InlineData("mp3/stacked-id3-junk.mp3", 3)]
    [InlineData("mp3/ape-lyrics-id3v1.mp3", 3)]
    [InlineData("m4a/faststart-tagged.m4a", 3)]
    [InlineData("m4a/co64-largesize.m4a", 7)]
    [InlineData("mp3/id3v22.mp3", 7)]
    public void Split_everywhere_equals_whole(string file, int stride)
    {
        var data = Fixtures.Bytes(file);
        string whole = Fixtures.Describe(Prober.Probe(data));
        for (int split = 0; split <= data.Length; split += stride)
        {
            var parser = Prober.CreateStreamParser();
            parser.Append(data.AsSpan(0, split));
            parser.Append(data.AsSpan(split));
            string got = Fixtures.Describe(parser.Complete());
            if (got != whole)
            {
                Assert.Fail($"Split at {split} of {data.Length} differs:\n{got}\n---\n{whole}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures.AcceptedData), MemberType = typeof(Fixtures))]
    public async Task Stream_read_and_range_probe_of_a_walked_file_agree(string file)
    {
        var data = Fixtures.Bytes(file);
        var whole = Prober.Probe(data);
        await using var stream = new MemoryStream(data);
        Assert.Equal(Fixtures.Describe(whole), Fixtures.Describe(await Prober.ProbeStreamAsync(stream, TestContext.Current.CancellationToken)));

        var ranged = await new MediaProber(new MediaProbeOptions { RequireSeekIndex = true }).ProbeAsync(new MemoryRandomAccessSource(data), TestContext.Current.CancellationToken);
        Assert.Equal(Fixtures.Describe(whole), Fixtures.Describe(ranged));
    }

    [Theory]
    [InlineData("mp3/id3v23-full.mp3")]
    [InlineData("m4a/moov-at-end.m4a")]
    [InlineData("aac/lc-22k-mono.aac")]
    public async Task A_stream_that_trickles_and_cannot_seek_gives_the_same_answer(string file)
    {
        var data = Fixtures.Bytes(file);
        await using var stream = new TrickleStream(data);

        var info = await Prober.ProbeStreamAsync(stream, TestContext.Current.CancellationToken);

        Assert.Equal(Fixtures.Describe(Prober.Probe(data)), Fixtures.Describe(info));
    }

    /// <summary>A forward-only stream that returns 1 to 7 bytes per read and yields between reads.</summary>
    private sealed class TrickleStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, 1 + (_position % 7)), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return Read(buffer.Span);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
