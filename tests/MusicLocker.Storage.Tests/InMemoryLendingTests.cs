using MusicLocker.Storage.InMemory;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>
/// The in-memory store's downloads lend their bytes (<see cref="IReadOnlyMemoryLender"/>): a lent view holds exactly the
/// bytes a read would have returned, moves the stream as that read would, is refused (moving nothing) where the bytes are
/// not in one piece of memory or not all inside the window, and never changes afterwards, whatever happens to the blob.
/// </summary>
public sealed class InMemoryLendingTests
{
    // A seekable upload is kept in 1 MiB pieces of memory: a view across a multiple of 1 MiB is not one piece.
    private const int Piece = 1024 * 1024;
    private static readonly BlobKey Key = BlobKey.Parse("lend/blob");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_lent_view_is_what_a_read_returns_and_moves_the_stream_past_it()
    {
        var (store, bytes) = await StoreAsync(3 * Piece);
        await using var download = await store.OpenReadAsync(Key, new ReadBlobOptions { Range = new ByteRange(1000, 2 * Piece) }, Ct);
        var lender = Assert.IsAssignableFrom<IReadOnlyMemoryLender>(download.Content);

        Assert.True(lender.TryLend(5000, out var first));
        Assert.Equal(bytes.AsSpan(1000, 5000).ToArray(), first.ToArray());
        Assert.Equal(5000, download.Content.Position);

        var read = new byte[100];
        Assert.Equal(100, await download.Content.ReadAsync(read, Ct));
        Assert.Equal(bytes.AsSpan(6000, 100).ToArray(), read);

        Assert.True(lender.TryLend(0, out var empty));
        Assert.True(empty.IsEmpty);
        Assert.Equal(5100, download.Content.Position);
    }

    [Theory]
    [InlineData(Piece - 1000 - 1, true)] // ends on the last byte of the first piece
    [InlineData(Piece - 1000, true)] // ends exactly at the boundary
    [InlineData(Piece - 1000 + 1, false)] // takes one byte of the next piece
    public async Task A_view_across_two_pieces_of_memory_is_refused_and_moves_nothing(int length, bool lent)
    {
        var (store, bytes) = await StoreAsync(3 * Piece);
        await using var download = await store.OpenReadAsync(Key, new ReadBlobOptions { Range = new ByteRange(1000, 2 * Piece) }, Ct);
        var lender = (IReadOnlyMemoryLender)download.Content;

        Assert.Equal(lent, lender.TryLend(length, out var view));
        Assert.Equal(lent ? length : 0, download.Content.Position);
        Assert.Equal(lent ? length : 0, view.Length);

        // Whatever happened, an ordinary read goes on from where the stream stands and sees the right bytes.
        var rest = new byte[2 * Piece - (int)download.Content.Position];
        await download.Content.ReadExactlyAsync(rest, Ct);
        Assert.Equal(bytes.AsSpan(1000 + (int)(2 * Piece - rest.Length), rest.Length).ToArray(), rest);
    }

    [Fact]
    public async Task A_view_past_the_window_is_refused_even_where_the_blob_goes_on()
    {
        var (store, _) = await StoreAsync(Piece / 2);
        await using var download = await store.OpenReadAsync(Key, new ReadBlobOptions { Range = new ByteRange(10, 100) }, Ct);
        var lender = (IReadOnlyMemoryLender)download.Content;

        Assert.False(lender.TryLend(101, out _));
        Assert.Equal(0, download.Content.Position);
        Assert.True(lender.TryLend(100, out var all));
        Assert.Equal(100, all.Length);
        Assert.False(lender.TryLend(1, out _));
        Assert.True(lender.TryLend(0, out _));
        Assert.Equal(0, await download.Content.ReadAsync(new byte[1], Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => lender.TryLend(-1, out _));
    }

    [Fact]
    public async Task A_lent_view_does_not_change_when_the_blob_is_overwritten_deleted_or_the_stream_disposed()
    {
        var (store, bytes) = await StoreAsync(Piece);
        var download = await store.OpenReadAsync(Key, cancellationToken: Ct);
        Assert.True(((IReadOnlyMemoryLender)download.Content).TryLend(Piece, out var view));
        await download.DisposeAsync();

        await store.PutBytesAsync(Key, TestData.Bytes(Piece, seed: 99), null, Ct);
        Assert.Equal(bytes, view.ToArray());
        await store.DeleteAsync(Key, cancellationToken: Ct);
        Assert.Equal(bytes, view.ToArray());
    }

    [Fact]
    public async Task Concurrent_lenders_of_one_blob_each_see_their_own_range()
    {
        var (store, bytes) = await StoreAsync(4 * Piece);
        await Parallel.ForAsync(0, 64, Ct, async (i, ct) =>
        {
            var random = new Random(i);
            long offset = random.NextInt64(4 * Piece - 70_000);
            await using var download = await store.OpenReadAsync(Key, new ReadBlobOptions { Range = new ByteRange(offset, 70_000) }, ct);
            var lender = (IReadOnlyMemoryLender)download.Content;
            var seen = new MemoryStream();
            while (seen.Length < 70_000)
            {
                int want = (int)Math.Min(random.Next(1, 20_000), 70_000 - seen.Length);
                if (lender.TryLend(want, out var view))
                {
                    seen.Write(view.Span);
                }
                else
                {
                    var buffer = new byte[want];
                    await download.Content.ReadExactlyAsync(buffer, ct);
                    seen.Write(buffer);
                }
            }

            Assert.Equal(bytes.AsSpan((int)offset, 70_000).ToArray(), seen.ToArray());
        });
    }

    private static async Task<(InMemoryBlobStore Store, byte[] Bytes)> StoreAsync(int length)
    {
        var store = new InMemoryBlobStore();
        var bytes = TestData.Bytes(length, seed: length);
        await store.PutBytesAsync(Key, bytes, null, Ct);
        return (store, bytes);
    }
}
