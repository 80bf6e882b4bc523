using MusicLocker.Storage.Providers;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests.Providers;

public sealed class PartBodyTests
{
    [Fact]
    public async Task Windows_of_one_seekable_stream_read_interleaved_each_get_their_own_bytes()
    {
        var bytes = TestData.Bytes(40);
        using var content = new MemoryStream(bytes) { Position = 10 };
        var body = PartBody.FromSeekableStream(content);
        await using var a = body.Open();
        await using var b = body.Open();
        var fromA = new byte[30];
        var fromB = new byte[30];

        for (int i = 0; i < 30; i += 5)
        {
            await a.ReadExactlyAsync(fromA.AsMemory(i, 5), Ct);
            b.ReadExactly(fromB.AsSpan(i, 5));
        }

        Assert.Equal(bytes[10..], fromA);
        Assert.Equal(bytes[10..], fromB);
        Assert.Equal(0, await a.ReadAsync(new byte[1], Ct));
        a.Position = 25;
        Assert.Equal(bytes[35], (byte)a.ReadByte());
    }

    [Fact]
    public async Task A_window_over_a_stream_that_shrank_is_an_io_error_not_a_short_body()
    {
        using var content = new MemoryStream();
        content.Write(TestData.Bytes(40));
        content.Position = 0;
        var body = PartBody.FromSeekableStream(content);
        content.SetLength(25); // the caller's stream changed under the upload

        await using var window = body.Open();
        var ex = await Assert.ThrowsAsync<IOException>(() => window.CopyToAsync(Stream.Null, Ct));

        Assert.Contains("25 of 40", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_needs_a_readable_seekable_stream()
    {
        using var oneWay = new GeneratedStream(2);

        Assert.Throws<ArgumentException>(() => PartBody.FromSeekableStream(oneWay));
        Assert.Throws<ArgumentNullException>(() => PartBody.FromSeekableStream(null!));
    }

    [Fact]
    public async Task A_one_way_stream_is_spooled_and_every_open_gives_all_of_it_again()
    {
        var bytes = new byte[1000];
        using (var generated = new GeneratedStream(bytes.Length))
        {
            generated.ReadExactly(bytes);
        }

        using var oneWay = new GeneratedStream(bytes.Length, maxPerRead: 7);
        var body = await PartBody.FromStreamAsync(oneWay, Ct);

        Assert.Equal(bytes.Length, body.Length);
        for (int i = 0; i < 2; i++)
        {
            await using var opened = body.Open();
            var copy = new MemoryStream();
            await opened.CopyToAsync(copy, Ct);
            Assert.Equal(bytes, copy.ToArray());
        }

        body.Release();
        await using var afterRelease = body.Open();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => afterRelease.ReadAsync(new byte[1], Ct).AsTask());
    }

    [Fact]
    public async Task A_seekable_stream_is_used_in_place_from_its_position()
    {
        var bytes = TestData.Bytes(30);
        using var content = new MemoryStream(bytes) { Position = 12 };

        var body = await PartBody.FromStreamAsync(content, Ct);
        await using var opened = body.Open();
        var copy = new MemoryStream();
        await opened.CopyToAsync(copy, Ct);

        Assert.Equal(18, body.Length);
        Assert.Equal(bytes[12..], copy.ToArray());
        body.Release();
        Assert.True(content.CanRead); // the caller's stream stays the caller's
    }

    [Fact]
    public async Task An_unreadable_stream_is_refused()
    {
        using var content = new MemoryStream();
        content.Close();

        await Assert.ThrowsAsync<ArgumentException>(() => PartBody.FromStreamAsync(content, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => PartBody.FromStreamAsync(null!, Ct));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
