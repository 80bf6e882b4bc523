using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Tests.Conformance;

public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task Users_are_ensured_once_and_read_back()
    {
        var created = await Store.Users.EnsureAsync("erin", "gb-50", Ct);
        Assert.Equal("gb-50", created.PlanId);
        Assert.True(created.HistoryEnabled);
        Assert.Null(created.QuotaOverrideBytes);
        Assert.Equal(Time.GetUtcNow(), created.CreatedAt);

        Time.Advance(TimeSpan.FromDays(1));
        var again = await Store.Users.EnsureAsync("erin", "gb-1000", Ct);
        Assert.Equal(created, again);
        Assert.Equal(created, await Store.Users.GetAsync("erin", Ct));
        var missing = await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Users.GetAsync("frank", Ct));
        Assert.Equal(MetadataErrorCode.NotFound, missing.ErrorCode);
        Assert.Contains("frank", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_an_account_removes_everything_and_returns_its_storage_keys()
    {
        var user = await NewUserAsync();
        var bob = await NewUserAsync("bob");
        var t1 = await AddAsync(user, Track("One", storageKey: "~/1"));
        await AddAsync(user, Track("One copy", hash: t1.ContentHash, storageKey: "~/1"));
        await AddAsync(user, Track("Two", storageKey: "~/2"));
        var bobs = await AddAsync(bob, Track("Bob's", storageKey: "~/1"));
        var playlist = await Store.Playlists.CreateAsync(user, "Mix", Ct);
        await Store.Playlists.AddTracksAsync(user, playlist.Id, [t1.Id], null, Ct);
        await Store.History.RecordPlayAsync(user, t1.Id, Ct);
        var reservation = await Store.Quota.ReserveAsync(user, 100, Ct);
        await Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, "3"), "three.mp3", 100, reservation.Id), Ct);

        var deleted = await Store.Users.DeleteAsync(user, Ct);
        Assert.Equal(3, deleted.TrackCount);
        Assert.Equal([KeyOf(user, "1"), KeyOf(user, "2"), KeyOf(user, "3")], deleted.StorageKeys);

        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Users.GetAsync(user, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Tracks.GetTrackAsync(user, t1.Id, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Playlists.GetAsync(user, playlist.Id, Ct));
        Assert.Empty(await Store.UploadSessions.ListOpenAsync(user, Ct).ToListAsync(Ct));
        Assert.False(await Store.Quota.ReleaseAsync(user, reservation.Id, Ct));
        Assert.Empty(await Store.Tracks.SearchPageAsync(user, "one", cancellationToken: Ct) is { Items: var items } ? items : []);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Users.DeleteAsync(user, Ct));

        // Recreating the account starts from nothing; the other user is untouched.
        await NewUserAsync();
        Assert.Equal(0, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
        Assert.Equal(bobs, await Store.Tracks.GetTrackAsync(bob, bobs.Id, Ct));
    }

    [Fact]
    public async Task Upload_sessions_update_only_at_the_version_read()
    {
        var user = await NewUserAsync();
        var reservation = await Store.Quota.ReserveAsync(user, 5_000, Ct);
        var session = await Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, "u1"), "song.mp3", 5_000, reservation.Id), Ct);
        Assert.Equal(UploadSessionState.Open, session.State);
        Assert.Equal(1, session.Version);
        Assert.Null(session.MultipartUploadId);
        Assert.Equal(session, await Store.UploadSessions.GetAsync(user, session.Id, Ct));

        Time.Advance(TimeSpan.FromSeconds(10));
        var progressed = await Store.UploadSessions.UpdateAsync(user, session.Id, new UploadSessionUpdate(2_000, "mp-123"), 1, Ct);
        Assert.Equal(2, progressed.Version);
        Assert.Equal(2_000, progressed.ReceivedBytes);
        Assert.Equal("mp-123", progressed.MultipartUploadId);
        Assert.Equal(reservation.Id, progressed.ReservationId);
        Assert.Equal(Time.GetUtcNow(), progressed.UpdatedAt);
        Assert.Equal(progressed, await Store.UploadSessions.GetAsync(user, session.Id, Ct));

        var stale = await Assert.ThrowsAsync<MetadataConflictException>(() => Store.UploadSessions.UpdateAsync(user, session.Id, new UploadSessionUpdate(3_000), 1, Ct));
        Assert.Equal(MetadataErrorCode.Conflict, stale.ErrorCode);

        // Of two instances racing with the same version, exactly one wins.
        var other = await OpenAnotherAsync();
        var race = await Task.WhenAll(
            Attempt(Store, 4_000), Attempt(other, 4_500));
        Assert.Single(race, won => won);

        var sessions = await Store.UploadSessions.ListOpenAsync(user, Ct).ToListAsync(Ct);
        Assert.Single(sessions);
        Time.Advance(TimeSpan.FromHours(2));
        var stale2 = await Store.UploadSessions.CreateAsync(user, new NewUploadSession(KeyOf(user, "u2"), "late.mp3", 1), Ct);
        var found = await Store.UploadSessions.ListStaleAsync(Time.GetUtcNow() - TimeSpan.FromHours(1), 10, Ct);
        Assert.Equal([session.Id], found.Select(s => s.Id));

        var done = await Store.UploadSessions.UpdateAsync(user, session.Id, new UploadSessionUpdate(State: UploadSessionState.Completed), 3, Ct);
        Assert.Equal(UploadSessionState.Completed, done.State);
        Assert.Equal([stale2.Id], (await Store.UploadSessions.ListOpenAsync(user, Ct).ToListAsync(Ct)).Select(s => s.Id));
        Assert.True(await Store.UploadSessions.DeleteAsync(user, session.Id, Ct));
        Assert.False(await Store.UploadSessions.DeleteAsync(user, session.Id, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.UploadSessions.GetAsync(user, session.Id, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.UploadSessions.CreateAsync("nobody", new NewUploadSession(KeyOf("nobody", "k"), "f", 1), Ct));

        async Task<bool> Attempt(ILockerMetadataStore store, long received)
        {
            try
            {
                await store.UploadSessions.UpdateAsync(user, session.Id, new UploadSessionUpdate(received), 2, Ct);
                return true;
            }
            catch (MetadataConflictException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task A_second_instance_sees_the_first_instances_writes()
    {
        var user = await NewUserAsync();
        var track = await AddAsync(user, Track("Shared"));
        var reservation = await Store.Quota.ReserveAsync(user, 500, Ct);

        var other = await OpenAnotherAsync();
        Assert.Equal(track, await other.Tracks.GetTrackAsync(user, track.Id, Ct));
        Assert.Equal(["Shared"], Titles((await other.Tracks.SearchPageAsync(user, "shared", cancellationToken: Ct)).Items));
        var status = await other.Quota.CommitAsync(user, reservation.Id, 400, Ct);
        Assert.Equal(1_400, status.UsedBytes);
        Assert.Equal(1_400, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
        Assert.IsType<QuotaStatus>(status);
    }
}
