using System.Xml.Linq;
using MusicLocker.Metadata;

namespace MusicLocker.AspNetCore.Tests.Subsonic;

/// <summary>
/// getAlbumList2 pages on keyset cursors behind the offsets players send: walking a list page by page, or jumping to any
/// offset, gives exactly the slices of the whole list; cursors handed out by the locker belong to one user and order.
/// </summary>
public sealed class SubsonicAlbumListTests
{
    private const int Tracks = 1_234; // 124 albums (the last one of 4 tracks)
    private static readonly XNamespace Ns = SubsonicHost.Ns;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Walking_pages_and_jumping_to_offsets_give_the_slices_of_the_whole_list_for_every_stable_order()
    {
        await using var host = await SubsonicHost.StartAsync(upload: false);
        await SubsonicPagingTests.SeedAsync(host.DatabasePath, "ann", Tracks);
        var random = new Random(5);
        foreach (string type in new[] { "alphabeticalByName", "alphabeticalByArtist", "newest", "byYear&fromYear=2010&toYear=1960", "byYear&fromYear=1960&toYear=2010", "byGenre&genre=GENRE%203" })
        {
            var whole = await AlbumsAsync(host, $"type={type}&size=500");
            Assert.True(whole.Count > 5, type);
            Assert.Equal(whole.Count, whole.Distinct().Count());

            var walked = new List<string>();
            for (int offset = 0; ; offset += 7)
            {
                var page = await AlbumsAsync(host, $"type={type}&size=7&offset={offset}");
                walked.AddRange(page);
                if (page.Count < 7)
                {
                    break;
                }
            }

            Assert.Equal(whole, walked);
            for (int i = 0; i < 5; i++)
            {
                int offset = random.Next(whole.Count + 3);
                Assert.Equal(whole.Skip(offset).Take(9), await AlbumsAsync(host, $"type={type}&size=9&offset={offset}"));
            }
        }

        Assert.Equal(124, (await AlbumsAsync(host, "type=alphabeticalByArtist&size=500")).Count);
        Assert.Equal(124, (await AlbumsAsync(host, "type=random&size=500")).Distinct().Count());
        Assert.Equal(
            await AlbumsAsync(host, "type=alphabeticalByArtist&size=20&offset=40"),
            (await host.XmlAsync(host.Url("search3", "query=&artistCount=0&songCount=0&albumCount=20&albumOffset=40"))).Descendants(Ns + "album").Select(Describe));
    }

    [Fact]
    public async Task An_album_list_cursor_works_only_for_its_user_and_order()
    {
        await using var host = await SubsonicHost.StartAsync(upload: false);
        await SubsonicPagingTests.SeedAsync(host.DatabasePath, "ann", 200);
        await SubsonicPagingTests.SeedAsync(host.DatabasePath, "bob", 200);
        var ann = host.Locker.ForUser("ann").Library;
        var first = await ann.GetAlbumPageAsync(new AlbumListQuery { Order = AlbumOrder.Name, Count = 5 }, Ct);
        string cursor = Assert.IsType<string>(first.NextCursor);
        var next = await ann.GetAlbumPageAsync(new AlbumListQuery { Order = AlbumOrder.Name, Count = 5, Cursor = cursor }, Ct);
        Assert.Equal(5, next.Items.Count);
        Assert.Empty(first.Items.Intersect(next.Items));

        var bob = host.Locker.ForUser("bob").Library;
        foreach (var call in new Func<Task>[]
        {
            () => bob.GetAlbumPageAsync(new AlbumListQuery { Order = AlbumOrder.Name, Cursor = cursor }, Ct),
            () => bob.GetAlbumListAsync(new AlbumListQuery { Order = AlbumOrder.Name, Cursor = cursor }, Ct),
            () => ann.GetAlbumPageAsync(new AlbumListQuery { Order = AlbumOrder.Newest, Cursor = cursor }, Ct),
            () => ann.GetAlbumPageAsync(new AlbumListQuery { Order = AlbumOrder.Random, Cursor = cursor }, Ct),
            () => ann.GetAlbumPageAsync(new AlbumListQuery { Order = AlbumOrder.Name, Cursor = cursor[..^3] }, Ct),
            () => ann.GetAlbumPageAsync(new AlbumListQuery { Order = AlbumOrder.Name, Cursor = cursor.Split('.')[1] }, Ct),
        })
        {
            var error = await Assert.ThrowsAsync<LockerException>(call);
            Assert.Equal(LockerErrorCode.InvalidCursor, error.ErrorCode);
        }
    }

    private static async Task<List<string>> AlbumsAsync(SubsonicHost host, string query) =>
        (await host.XmlAsync(host.Url("getAlbumList2", query))).Descendants(Ns + "album").Select(Describe).ToList();

    private static string Describe(XElement album) => string.Join('|',
        new[] { "id", "name", "artist", "songCount", "duration", "created", "year", "genre", "coverArt" }.Select(a => (string?)album.Attribute(a)));
}
