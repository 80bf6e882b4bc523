using System.Text;

namespace MusicLocker.Storage.S3.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Put_get_list_copy_delete()
    {
        var server = await MusicLocker.Testing.Servers.S3rverServer.GetSharedAsync();
        using var store = await S3TestStores.CreateAsync(server);
        var ct = TestContext.Current.CancellationToken;
        var key = BlobKey.Parse("a/b c/é€😀.txt");
        var p = await store.PutBytesAsync(key, Encoding.UTF8.GetBytes("hello world"), new PutBlobOptions { ContentType = "text/plain", Metadata = new Dictionary<string, string> { ["Artist"] = "X" } }, ct);
        Assert.Equal(11, p.Length);
        Assert.Equal("X", p.Metadata["artist"]);
        Assert.Equal("hello world", Encoding.UTF8.GetString(await store.ReadAllBytesAsync(key, cancellationToken: ct)));
        Assert.Equal("world", Encoding.UTF8.GetString(await store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = ByteRange.Suffix(5) }, cancellationToken: ct)));
        Assert.Equal("lo w", Encoding.UTF8.GetString(await store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = new ByteRange(3, 4) }, cancellationToken: ct)));
        Assert.Equal("world", Encoding.UTF8.GetString(await store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = new ByteRange(6) }, cancellationToken: ct)));
        await Assert.ThrowsAsync<RangeNotSatisfiableException>(() => store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = new ByteRange(11) }, cancellationToken: ct));
        var c = await store.CopyAsync(key, BlobKey.Parse("x/y/copy"), cancellationToken: ct);
        Assert.Equal(p.ETag, c.ETag);
        var items = new List<BlobItem>();
        await foreach (var i in store.ListAsync("", ct))
        {
            items.Add(i);
        }

        Assert.Equal(2, items.Count);
        Assert.True(await store.DeleteAsync(key, cancellationToken: ct));
        Assert.False(await store.DeleteAsync(key, cancellationToken: ct));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.GetPropertiesAsync(key, ct));
        var big = new byte[12 * 1024 * 1024];
        Random.Shared.NextBytes(big);
        var bp = await store.PutBytesAsync(BlobKey.Parse("big"), big, cancellationToken: ct);
        Assert.Equal(big.Length, bp.Length);
        Assert.Equal(big, await store.ReadAllBytesAsync(BlobKey.Parse("big"), cancellationToken: ct));
    }
}
