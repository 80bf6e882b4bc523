using MusicLocker.Metadata;

namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>Cover-art edits, on every store (the migration of each database included).</summary>
public abstract partial class MetadataStoreConformance
{
    private static CoverPicture Picture(string userId, string name, long length = 1234) =>
        new(KeyOf(userId, "covers/" + name), "image/jpeg", length, new string('a', 64));

    [Fact]
    public async Task A_cover_edit_is_set_replaced_removed_and_cleared_and_each_replaced_picture_is_returned_once()
    {
        var user = await NewUserAsync();
        var track = await AddAsync(user, Track("A"));
        Assert.Null(await Store.Covers.GetAsync(user, track.Id, Ct));

        Assert.Null(await Store.Covers.SetAsync(user, track.Id, Picture(user, "one"), Ct));
        var edit = await Store.Covers.GetAsync(user, track.Id, Ct);
        Assert.Equal(Picture(user, "one"), edit!.Picture);
        Assert.False(edit.IsRemoved);
        Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds(), edit.UpdatedAt.ToUnixTimeMilliseconds());

        Assert.Equal(Picture(user, "one"), await Store.Covers.SetAsync(user, track.Id, Picture(user, "two", 99), Ct));
        Assert.Null(await Store.Covers.SetAsync(user, track.Id, Picture(user, "two", 99), Ct)); // the same object again replaces nothing
        Assert.Equal(Picture(user, "two", 99), await Store.Covers.SetAsync(user, track.Id, null, Ct));
        Assert.True((await Store.Covers.GetAsync(user, track.Id, Ct))!.IsRemoved);
        Assert.Empty(await Store.Covers.ListStorageKeysAsync(user, Ct).ToListAsync(Ct));

        Assert.Null(await Store.Covers.SetAsync(user, track.Id, Picture(user, "three"), Ct));
        Assert.Equal(Picture(user, "three"), await Store.Covers.ClearAsync(user, track.Id, Ct));
        Assert.Null(await Store.Covers.GetAsync(user, track.Id, Ct));
        Assert.Null(await Store.Covers.ClearAsync(user, track.Id, Ct));
    }

    [Fact]
    public async Task Another_users_track_is_not_found_and_a_key_outside_the_users_prefix_is_refused()
    {
        var user = await NewUserAsync();
        var bob = await NewUserAsync("bob");
        var track = await AddAsync(user, Track("A"));
        await Store.Covers.SetAsync(user, track.Id, Picture(user, "one"), Ct);

        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Covers.GetAsync(bob, track.Id, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Covers.SetAsync(bob, track.Id, Picture(bob, "x"), Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Covers.SetAsync(bob, track.Id, null, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Covers.ClearAsync(bob, track.Id, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Covers.GetAsync(user, Guid.NewGuid(), Ct));
        Assert.Empty(await Store.Covers.ListStorageKeysAsync(bob, Ct).ToListAsync(Ct));

        var bad = await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Covers.SetAsync(user, track.Id, Picture(bob, "theirs"), Ct));
        Assert.Equal("picture.StorageKey", bad.ParameterName);
        bad = await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Covers.SetAsync(user, track.Id, Picture(user, "empty", 0), Ct));
        Assert.Equal("picture.Length", bad.ParameterName);
        Assert.Equal(Picture(user, "one"), (await Store.Covers.GetAsync(user, track.Id, Ct))!.Picture);
    }

    [Fact]
    public async Task Removing_a_track_removes_its_cover_edit_and_names_its_picture()
    {
        var user = await NewUserAsync();
        var a = await AddAsync(user, Track("A"));
        var b = await AddAsync(user, Track("B"));
        await Store.Covers.SetAsync(user, a.Id, Picture(user, "a"), Ct);
        await Store.Covers.SetAsync(user, b.Id, null, Ct);

        Assert.Equal(KeyOf(user, "covers/a"), (await Store.Tracks.RemoveTrackAsync(user, a.Id, Ct)).CoverStorageKey);
        Assert.Null((await Store.Tracks.RemoveTrackAsync(user, b.Id, Ct)).CoverStorageKey);
        Assert.Empty(await Store.Covers.ListStorageKeysAsync(user, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Picture_keys_are_listed_in_byte_order_across_pages()
    {
        var user = await NewUserAsync();
        var names = new List<string>();
        for (int i = 0; i < 520; i++)
        {
            var track = await AddAsync(user, Track("T" + i));
            string name = i % 3 == 0 ? "Z" + i : i % 3 == 1 ? "a" + i : "_" + i;
            names.Add(KeyOf(user, "covers/" + name));
            await Store.Covers.SetAsync(user, track.Id, Picture(user, name), Ct);
        }

        names.Sort(StringComparer.Ordinal);
        Assert.Equal(names, await Store.Covers.ListStorageKeysAsync(user, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_cover_edits_of_one_track_hand_every_replaced_picture_to_exactly_one_caller()
    {
        var user = await NewUserAsync();
        var track = await AddAsync(user, Track("A"));
        const int writers = 8;
        var replaced = await TogetherAsync(writers, i => Store.Covers.SetAsync(user, track.Id, Picture(user, "p" + i), Ct));

        var kept = (await Store.Covers.GetAsync(user, track.Id, Ct))!.Picture!.StorageKey;
        var handedBack = replaced.Where(p => p is not null).Select(p => p!.StorageKey).ToList();
        Assert.Equal(writers - 1, handedBack.Count);
        Assert.Equal(writers - 1, handedBack.Distinct().Count());
        Assert.DoesNotContain(kept, handedBack);
        Assert.Equal([kept], await Store.Covers.ListStorageKeysAsync(user, Ct).ToListAsync(Ct));
    }
}
