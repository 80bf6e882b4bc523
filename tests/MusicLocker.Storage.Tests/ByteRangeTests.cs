namespace MusicLocker.Storage.Tests;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData(0L, null, 100L, 0L, 100L)]
    [InlineData(10L, null, 100L, 10L, 90L)]
    [InlineData(10L, 20L, 100L, 10L, 20L)]
    [InlineData(90L, 20L, 100L, 90L, 10L)]
    [InlineData(99L, 1L, 100L, 99L, 1L)]
    public void Offset_ranges_resolve_and_clamp(long offset, long? length, long blob, long expectedOffset, long expectedLength)
    {
        Assert.True(new ByteRange(offset, length).TryResolve(blob, out var o, out var l));
        Assert.Equal((expectedOffset, expectedLength), (o, l));
    }

    [Theory]
    [InlineData(100L, 100L)]
    [InlineData(150L, 100L)]
    [InlineData(0L, 0L)]
    public void Ranges_starting_at_or_past_the_end_are_unsatisfiable(long offset, long blob)
    {
        Assert.False(new ByteRange(offset, 5).TryResolve(blob, out _, out _));
    }

    [Fact]
    public void Suffix_ranges_take_the_last_bytes_and_clamp()
    {
        Assert.True(ByteRange.Suffix(10).TryResolve(100, out var o, out var l));
        Assert.Equal((90L, 10L), (o, l));
        Assert.True(ByteRange.Suffix(500).TryResolve(100, out o, out l));
        Assert.Equal((0L, 100L), (o, l));
        Assert.False(ByteRange.Suffix(1).TryResolve(0, out _, out _));
    }

    [Fact]
    public void Whole_range_resolves_even_for_an_empty_blob()
    {
        Assert.True(ByteRange.All.TryResolve(0, out var o, out var l));
        Assert.Equal((0L, 0L), (o, l));
        Assert.True(default(ByteRange).IsAll);
    }

    [Fact]
    public void Http_header_forms()
    {
        Assert.Null(ByteRange.All.ToHttpRangeHeader());
        Assert.Equal("bytes=5-", new ByteRange(5).ToHttpRangeHeader());
        Assert.Equal("bytes=5-14", new ByteRange(5, 10).ToHttpRangeHeader());
        Assert.Equal("bytes=-7", ByteRange.Suffix(7).ToHttpRangeHeader());
    }

    [Fact]
    public void Nonsense_is_refused_at_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteRange(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteRange(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteRange(1, long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteRange.Suffix(0));
    }

    [Fact]
    public void Equality()
    {
        Assert.Equal(new ByteRange(1, 2), new ByteRange(1, 2));
        Assert.NotEqual(new ByteRange(0, 2), ByteRange.Suffix(2));
        Assert.NotEqual(ByteRange.All, new ByteRange(0));
        Assert.False(new ByteRange(0).TryResolve(0, out _, out _));
    }
}
