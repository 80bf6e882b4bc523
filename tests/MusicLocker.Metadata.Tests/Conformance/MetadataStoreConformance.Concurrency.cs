using MusicLocker.Metadata;

namespace MusicLocker.Metadata.Tests.Conformance;

public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task The_same_file_added_concurrently_from_several_instances_is_charged_once()
    {
        var stores = new[] { Store, await OpenAnotherAsync(), await OpenAnotherAsync(), await OpenAnotherAsync() };
        var user = await NewUserAsync();
        var added = await TogetherAsync(16, i =>
            stores[i % stores.Length].Tracks.AddTrackAsync(user, Owned(user, Track($"Copy {i}", size: 4_000, hash: "one-file", storageKey: "~/one")), null, Ct));

        Assert.Single(added, t => t.ChargedBytes > 0);
        Assert.Equal(4_000, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
        Assert.Equal(16, (await Store.Tracks.FindByContentHashAsync(user, "one-file", Ct)).Count);
    }

    [Fact]
    public async Task Concurrent_playlist_edits_from_two_instances_keep_every_entry_in_one_order()
    {
        var other = await OpenAnotherAsync();
        var user = await NewUserAsync();
        var tracks = new List<TrackRecord>();
        for (int i = 0; i < 20; i++)
        {
            tracks.Add(await AddAsync(user, Track($"T{i:D2}")));
        }

        var playlist = await Store.Playlists.CreateAsync(user, "Shared", Ct);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var edits = tracks.Select((track, i) => Task.Run(async () =>
        {
            await gate.Task;
            var store = i % 2 == 0 ? Store : other;
            await store.Playlists.AddTracksAsync(user, playlist.Id, [track.Id], i % 3 == 0 ? 0 : null, Ct);
        }, Ct)).ToArray();
        gate.SetResult();
        await Task.WhenAll(edits);

        var entries = await other.Playlists.GetEntriesAsync(user, playlist.Id, Ct);
        Assert.Equal(20, entries.Count);
        Assert.Equal(tracks.Select(t => t.Id).Order(), entries.Select(e => e.Track.Id).Order());
        Assert.Equal(Enumerable.Range(0, 20), entries.Select(e => e.Index));

        // Stored positions are exactly 0..n-1 after concurrent inserts: a move lands where asked.
        await other.Playlists.MoveEntryAsync(user, playlist.Id, entries[19].EntryId, 0, Ct);
        var moved = await Store.Playlists.GetEntriesAsync(user, playlist.Id, Ct);
        Assert.Equal(entries[19].EntryId, moved[0].EntryId);
        Assert.Equal(entries.Take(19).Select(e => e.EntryId), moved.Skip(1).Select(e => e.EntryId));
    }
}
