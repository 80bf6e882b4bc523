using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>
/// Every id is checked against its owner: another user's reservation, track, playlist, entry, upload session or key
/// behaves exactly as an id that does not exist (same error, same message shape), and storage keys must lie under the
/// user's own prefix.
/// </summary>
public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task Another_users_reservation_cannot_be_committed_released_or_attached_to_an_upload()
    {
        var alice = await NewUserAsync("alice");
        var bob = await NewUserAsync("bob");
        var bobs = await Store.Quota.ReserveAsync(bob, 700, Ct);
        var unknown = Guid.NewGuid();

        var foreign = await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Quota.CommitAsync(alice, bobs.Id, 1, Ct));
        var missing = await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Quota.CommitAsync(alice, unknown, 1, Ct));
        AssertSameNotFound(foreign, bobs.Id, missing, unknown);
        Assert.False(await Store.Quota.ReleaseAsync(alice, bobs.Id, Ct));
        var session = await Assert.ThrowsAsync<MetadataNotFoundException>(() =>
            Store.UploadSessions.CreateAsync(alice, new NewUploadSession(KeyOf(alice, "u"), "u.mp3", 700, bobs.Id), Ct));
        var sessionMissing = await Assert.ThrowsAsync<MetadataNotFoundException>(() =>
            Store.UploadSessions.CreateAsync(alice, new NewUploadSession(KeyOf(alice, "u"), "u.mp3", 700, unknown), Ct));
        Assert.Equal(MetadataEntity.QuotaReservation, session.Entity);
        AssertSameNotFound(session, bobs.Id, sessionMissing, unknown);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Tracks.AddTrackAsync(alice, Owned(alice, Track("Theft", size: 700)), bobs.Id, Ct));

        // Nothing moved: alice was charged nothing, bob's hold is whole and still his to spend.
        Assert.Equal(0, (await Store.Quota.GetStatusAsync(alice, Ct)).UsedBytes);
        Assert.Empty(await Store.UploadSessions.ListOpenAsync(alice, Ct).ToListAsync(Ct));
        var bobStatus = await Store.Quota.GetStatusAsync(bob, Ct);
        Assert.Equal(700, bobStatus.ReservedBytes);
        Assert.Equal(0, bobStatus.UsedBytes);
        var withOwn = await Store.UploadSessions.CreateAsync(bob, new NewUploadSession(KeyOf(bob, "u"), "u.mp3", 700, bobs.Id), Ct);
        Assert.Equal(bobs.Id, withOwn.ReservationId);
        Assert.Equal(650, (await Store.Quota.CommitAsync(bob, bobs.Id, 650, Ct)).UsedBytes);
        Assert.False(await Store.Quota.ReleaseAsync(bob, bobs.Id, Ct));
    }

    [Fact]
    public async Task Every_foreign_id_behaves_as_an_id_that_does_not_exist()
    {
        var alice = await NewUserAsync("alice");
        var bob = await NewUserAsync("bob");
        var track = await AddAsync(bob, Track("Bob's", size: 10));
        var mine = await AddAsync(alice, Track("Mine", size: 10));
        var playlist = await Store.Playlists.CreateAsync(bob, "Bob's mix", Ct);
        await Store.Playlists.AddTracksAsync(bob, playlist.Id, [track.Id, track.Id], null, Ct);
        var entry = (await Store.Playlists.GetEntriesAsync(bob, playlist.Id, Ct))[0];
        var myList = await Store.Playlists.CreateAsync(alice, "Mine", Ct);
        var session = await Store.UploadSessions.CreateAsync(bob, new NewUploadSession(KeyOf(bob, "s"), "s.mp3", 10), Ct);
        await Store.History.RecordPlayAsync(bob, track.Id, Ct);

        var probes = new List<(string Name, Func<Guid, Task> Call, Guid Foreign)>
        {
            ("GetTrack", id => Store.Tracks.GetTrackAsync(alice, id, Ct), track.Id),
            ("UpdateTags", id => Store.Tracks.UpdateTagsAsync(alice, id, new TrackTags("Mine now"), Ct), track.Id),
            ("RemoveTrack", id => Store.Tracks.RemoveTrackAsync(alice, id, Ct), track.Id),
            ("RecordPlay", id => Store.History.RecordPlayAsync(alice, id, Ct), track.Id),
            ("AddTracks foreign track", id => Store.Playlists.AddTracksAsync(alice, myList.Id, [id], null, Ct), track.Id),
            ("GetPlaylist", id => Store.Playlists.GetAsync(alice, id, Ct), playlist.Id),
            ("RenamePlaylist", id => Store.Playlists.RenameAsync(alice, id, "Mine now", Ct), playlist.Id),
            ("GetEntries", id => Store.Playlists.GetEntriesAsync(alice, id, Ct), playlist.Id),
            ("AddTracks foreign playlist", id => Store.Playlists.AddTracksAsync(alice, id, [mine.Id], null, Ct), playlist.Id),
            ("RemoveEntry foreign playlist", id => Store.Playlists.RemoveEntryAsync(alice, id, entry.EntryId, Ct), playlist.Id),
            ("MoveEntry foreign playlist", id => Store.Playlists.MoveEntryAsync(alice, id, entry.EntryId, 0, Ct), playlist.Id),
            ("RemoveEntry foreign entry", id => Store.Playlists.RemoveEntryAsync(alice, myList.Id, id, Ct), entry.EntryId),
            ("GetSession", id => Store.UploadSessions.GetAsync(alice, id, Ct), session.Id),
            ("UpdateSession", id => Store.UploadSessions.UpdateAsync(alice, id, new UploadSessionUpdate(5), 1, Ct), session.Id),
        };

        foreach (var (name, call, foreignId) in probes)
        {
            var unknown = Guid.NewGuid();
            var foreign = await Assert.ThrowsAsync<MetadataNotFoundException>(() => call(foreignId));
            var missing = await Assert.ThrowsAsync<MetadataNotFoundException>(() => call(unknown));
            Assert.True(foreign.Entity == missing.Entity, name);
            AssertSameNotFound(foreign, foreignId, missing, unknown);
        }

        Assert.False(await Store.Playlists.DeleteAsync(alice, playlist.Id, Ct));
        Assert.False(await Store.UploadSessions.DeleteAsync(alice, session.Id, Ct));
        Assert.Equal(0, await Store.History.GetPlayCountAsync(alice, track.Id, Ct));
        Assert.Empty(await Store.Tracks.FindByContentHashAsync(alice, track.ContentHash, Ct));

        // Bob's records are exactly as they were.
        Assert.Equal(track, await Store.Tracks.GetTrackAsync(bob, track.Id, Ct));
        Assert.Equal("Bob's mix", (await Store.Playlists.GetAsync(bob, playlist.Id, Ct)).Name);
        Assert.Equal(2, (await Store.Playlists.GetEntriesAsync(bob, playlist.Id, Ct)).Count);
        Assert.Equal(session, await Store.UploadSessions.GetAsync(bob, session.Id, Ct));
        Assert.Equal(1, await Store.History.GetPlayCountAsync(bob, track.Id, Ct));
        Assert.Equal(10, (await Store.Quota.GetStatusAsync(bob, Ct)).UsedBytes);
    }

    [Fact]
    public async Task A_storage_key_must_lie_under_the_users_own_prefix_so_account_deletion_never_sweeps_another_users_blob()
    {
        var mallory = await NewUserAsync("mallory");
        var bob = await NewUserAsync("bob");
        var secret = await AddAsync(bob, Track("Secret", size: 10, storageKey: "~/secret.mp3"));
        Assert.Equal("users/bob/secret.mp3", secret.StorageKey);
        string[] foreignKeys =
        [
            "users/bob/secret.mp3", "users/bob/", "bob/secret.mp3", "secret.mp3", "/users/mallory/x", "users/mallory", "users/mallory/",
            "users/mallory/../bob/secret.mp3", "users/mallory/./x", "users/mallory//x", "users/mallory/x/../../bob/secret.mp3", "users/malloryx/a",
            "USERS/mallory/x", "users/mallory\\..\\bob\\secret.mp3".Replace("\\", "/", StringComparison.Ordinal), "users/mallory/x\n",
            "users/mallory/" + new string('k', MetadataLimits.MaxStorageKeyLength),
        ];
        var calls = new List<HostileCall>();
        foreach (var key in foreignKeys)
        {
            calls.Add(new($"track key {key}", "track.StorageKey", () => Store.Tracks.AddTrackAsync(mallory, Track("Mine", size: 1, storageKey: key), null, Ct)));
            calls.Add(new($"upload key {key}", "session.StorageKey", () => Store.UploadSessions.CreateAsync(mallory, new NewUploadSession(key, "f", 1), Ct)));
            calls.Add(new($"reconcile key {key}", "storedObjects[0].StorageKey", () => Store.Quota.ReconcileAsync(mallory, new[] { new StoredObject(key, 1) }.ToAsyncEnumerable(), true, Ct)));
        }

        await AssertAllRefusedAsync(calls);
        var own = await AddAsync(mallory, Track("Mine", size: 1, storageKey: "~/deep/folder/mine.mp3"));

        var deleted = await Store.Users.DeleteAsync(mallory, Ct);
        Assert.Equal([own.StorageKey], deleted.StorageKeys);
        Assert.Equal(secret, await Store.Tracks.GetTrackAsync(bob, secret.Id, Ct));
    }

    /// <summary>
    /// The race an attacker would run: while bob commits his reservations from one instance, alice hammers the same ids
    /// from others (release, commit, attach to an upload, spend on a track). Every one of bob's commits lands, none of
    /// alice's calls does anything, and both ledgers add up.
    /// </summary>
    [Fact]
    public async Task Racing_another_users_reservations_from_several_instances_never_moves_a_byte()
    {
        var stores = new[] { Store, await OpenAnotherAsync(), await OpenAnotherAsync() };
        var alice = await NewUserAsync("alice");
        var bob = await NewUserAsync("bob");
        var reservations = new List<QuotaReservation>();
        for (int i = 0; i < 24; i++)
        {
            reservations.Add(await Store.Quota.ReserveAsync(bob, 100 + i, Ct));
        }

        int aliceWins = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobs = reservations.Select(r => Task.Run(async () =>
        {
            await gate.Task;
            await stores[0].Quota.CommitAsync(bob, r.Id, r.Bytes, Ct);
        }, Ct));
        var alices = reservations.SelectMany((r, i) => new Func<Task>[]
        {
            async () =>
            {
                if (await stores[1 + (i % 2)].Quota.ReleaseAsync(alice, r.Id, Ct))
                {
                    Interlocked.Increment(ref aliceWins);
                }
            },
            () => Refused(() => stores[1 + (i % 2)].Quota.CommitAsync(alice, r.Id, 1, Ct)),
            () => Refused(() => stores[2 - (i % 2)].UploadSessions.CreateAsync(alice, new NewUploadSession(KeyOf(alice, $"u{i}"), "u", 1, r.Id), Ct)),
            () => Refused(() => stores[2 - (i % 2)].Tracks.AddTrackAsync(alice, Owned(alice, Track($"T{i}", size: 1)), r.Id, Ct)),
        }).Select(call => Task.Run(async () =>
        {
            await gate.Task;
            await call();
        }, Ct));
        var all = bobs.Concat(alices).ToArray();
        gate.SetResult();
        await Task.WhenAll(all);

        Assert.Equal(0, aliceWins);
        var aliceStatus = await Store.Quota.GetStatusAsync(alice, Ct);
        Assert.Equal(0, aliceStatus.UsedBytes + aliceStatus.ReservedBytes);
        Assert.Empty(await Store.UploadSessions.ListOpenAsync(alice, Ct).ToListAsync(Ct));
        Assert.Empty((await Store.Tracks.BrowsePageAsync(alice, new TrackQuery(), Ct)).Items);
        var bobStatus = await Store.Quota.GetStatusAsync(bob, Ct);
        Assert.Equal(reservations.Sum(r => r.Bytes), bobStatus.UsedBytes);
        Assert.Equal(0, bobStatus.ReservedBytes);

        static async Task Refused(Func<Task> call) => await Assert.ThrowsAsync<MetadataNotFoundException>(call);
    }

    private static void AssertSameNotFound(MetadataNotFoundException foreign, Guid foreignId, MetadataNotFoundException missing, Guid unknownId)
    {
        Assert.Equal(missing.Entity, foreign.Entity);
        Assert.Equal(missing.UserId, foreign.UserId);
        Assert.Equal(
            missing.Message.Replace(unknownId.ToString(), "<id>", StringComparison.Ordinal),
            foreign.Message.Replace(foreignId.ToString(), "<id>", StringComparison.Ordinal));
    }
}
