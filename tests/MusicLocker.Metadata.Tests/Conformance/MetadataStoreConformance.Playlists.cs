using MusicLocker.Metadata;

namespace MusicLocker.Metadata.Tests.Conformance;

public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task Playlists_are_created_renamed_listed_and_deleted()
    {
        var user = await NewUserAsync();
        var road = await Store.Playlists.CreateAsync(user, "Road trip", Ct);
        Time.Advance(TimeSpan.FromMinutes(5));
        await Store.Playlists.CreateAsync(user, "Focus", Ct);
        await Store.Playlists.CreateAsync(user, "éte", Ct);
        await Store.Playlists.CreateAsync(user, "Zen", Ct);
        Assert.Equal(["éte", "Focus", "Road trip", "Zen"], (await Store.Playlists.ListAsync(user, Ct).ToListAsync(Ct)).Select(p => p.Name));

        var renamed = await Store.Playlists.RenameAsync(user, road.Id, "Summer road trip", Ct);
        Assert.Equal("Summer road trip", renamed.Name);
        Assert.Equal(road.CreatedAt, renamed.CreatedAt);
        Assert.Equal(Time.GetUtcNow(), renamed.UpdatedAt);

        var bob = await NewUserAsync("bob");
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Playlists.GetAsync(bob, road.Id, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Playlists.RenameAsync(bob, road.Id, "Mine now", Ct));
        Assert.False(await Store.Playlists.DeleteAsync(bob, road.Id, Ct));

        Assert.True(await Store.Playlists.DeleteAsync(user, road.Id, Ct));
        Assert.False(await Store.Playlists.DeleteAsync(user, road.Id, Ct));
        Assert.Equal(["éte", "Focus", "Zen"], (await Store.Playlists.ListAsync(user, Ct).ToListAsync(Ct)).Select(p => p.Name));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Playlists.CreateAsync("nobody", "x", Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Playlists.CreateAsync(user, "  ", Ct));
    }

    [Fact]
    public async Task Playlist_entries_are_added_inserted_moved_and_removed_in_order()
    {
        var user = await NewUserAsync();
        var a = await AddAsync(user, Track("A"));
        var b = await AddAsync(user, Track("B"));
        var c = await AddAsync(user, Track("C"));
        var d = await AddAsync(user, Track("D"));
        var mix = await Store.Playlists.CreateAsync(user, "Mix", Ct);
        var other = await Store.Playlists.CreateAsync(user, "Other", Ct);

        var added = await Store.Playlists.AddTracksAsync(user, mix.Id, [a.Id, b.Id, c.Id], null, Ct);
        Assert.Equal([0, 1, 2], added.Select(e => e.Index));
        var inserted = await Store.Playlists.AddTracksAsync(user, mix.Id, [d.Id, a.Id], 1, Ct);
        Assert.Equal([1, 2], inserted.Select(e => e.Index));
        Assert.Equal(["A", "D", "A", "B", "C"], await EntryTitlesAsync(user, mix.Id));
        Assert.Equal(5, (await Store.Playlists.GetAsync(user, mix.Id, Ct)).EntryCount);

        // The same track in another playlist too.
        await Store.Playlists.AddTracksAsync(user, other.Id, [a.Id], null, Ct);
        Assert.Equal(["A"], await EntryTitlesAsync(user, other.Id));

        var entries = await Store.Playlists.GetEntriesAsync(user, mix.Id, Ct);
        await Store.Playlists.MoveEntryAsync(user, mix.Id, entries[4].EntryId, 0, Ct);
        Assert.Equal(["C", "A", "D", "A", "B"], await EntryTitlesAsync(user, mix.Id));
        await Store.Playlists.MoveEntryAsync(user, mix.Id, entries[4].EntryId, 4, Ct);
        Assert.Equal(["A", "D", "A", "B", "C"], await EntryTitlesAsync(user, mix.Id));
        await Store.Playlists.MoveEntryAsync(user, mix.Id, entries[0].EntryId, 2, Ct);
        Assert.Equal(["D", "A", "A", "B", "C"], await EntryTitlesAsync(user, mix.Id));

        // Removing one of two entries of the same track removes exactly that entry.
        await Store.Playlists.RemoveEntryAsync(user, mix.Id, entries[2].EntryId, Ct);
        var after = await Store.Playlists.GetEntriesAsync(user, mix.Id, Ct);
        Assert.Equal(["D", "A", "B", "C"], after.Select(e => e.Track.Tags.Title));
        Assert.Equal(entries[0].EntryId, after[1].EntryId);
        Assert.Equal([0, 1, 2, 3], after.Select(e => e.Index));

        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Playlists.RemoveEntryAsync(user, mix.Id, entries[2].EntryId, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Playlists.MoveEntryAsync(user, mix.Id, after[0].EntryId, 4, Ct));
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Playlists.AddTracksAsync(user, mix.Id, [a.Id], 5, Ct));

        // Another user's track cannot be added, and nothing of a failed add stays.
        var bob = await NewUserAsync("bob");
        var bobs = await AddAsync(bob, Track("Bob's"));
        var error = await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Playlists.AddTracksAsync(user, mix.Id, [a.Id, bobs.Id], null, Ct));
        Assert.Equal(MetadataEntity.Track, error.Entity);
        Assert.Equal(4, (await Store.Playlists.GetEntriesAsync(user, mix.Id, Ct)).Count);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Playlists.GetEntriesAsync(bob, mix.Id, Ct));
        Assert.Empty(await Store.Playlists.GetEntriesAsync(user, (await Store.Playlists.CreateAsync(user, "Empty", Ct)).Id, Ct));
    }

    private async Task<List<string>> EntryTitlesAsync(string user, Guid playlistId) =>
        (await Store.Playlists.GetEntriesAsync(user, playlistId, Ct)).Select(e => e.Track.Tags.Title).ToList();
}
