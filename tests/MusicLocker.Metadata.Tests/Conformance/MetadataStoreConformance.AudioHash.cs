namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>The audio-hash rule: one track per user and audio payload when added through <c>AddTrackIfNewAudioAsync</c>.</summary>
public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task A_track_of_audio_the_user_has_is_not_added_and_the_reservation_stays()
    {
        var user = await NewUserAsync();
        var first = await Store.Tracks.AddTrackIfNewAudioAsync(user, Owned(user, Track("One", hash: "c1") with { AudioHash = "audio-x" }), null, Ct);
        var reservation = await Store.Quota.ReserveAsync(user, 500, Ct);

        var retagged = await Store.Tracks.AddTrackIfNewAudioAsync(user, Owned(user, Track("One (retagged)", size: 500, hash: "c2") with { AudioHash = "audio-x" }), reservation.Id, Ct);

        Assert.True(first.Added);
        Assert.False(retagged.Added);
        Assert.Equal(first.Track.Id, retagged.Track.Id);
        Assert.Equal([first.Track.Id], (await Store.Tracks.FindByAudioHashAsync(user, "audio-x", Ct)).Select(t => t.Id));
        var status = await Store.Quota.GetStatusAsync(user, Ct);
        Assert.Equal(1_000, status.UsedBytes);
        Assert.Equal(500, status.ReservedBytes);
        Assert.True(await Store.Quota.ReleaseAsync(user, reservation.Id, Ct));
        Assert.Empty(await Store.Tracks.FindByAudioHashAsync(await NewUserAsync("bob"), "audio-x", Ct));
    }

    [Fact]
    public async Task Two_instances_adding_the_same_audio_at_once_make_one_track_and_one_charge()
    {
        var user = await NewUserAsync();
        var other = await OpenAnotherAsync();
        var adds = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
        {
            var store = i % 2 == 0 ? Store : other;
            return Task.Run(() => store.Tracks.AddTrackIfNewAudioAsync(user, Owned(user, Track($"Copy {i}", hash: $"c{i}") with { AudioHash = "same-audio" }), null, Ct), Ct);
        }));

        Assert.Single(adds, a => a.Added);
        Assert.Single(adds.Select(a => a.Track.Id).Distinct());
        Assert.Single(await Store.Tracks.FindByAudioHashAsync(user, "same-audio", Ct));
        Assert.Equal(1_000, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
    }

    [Fact]
    public async Task A_plain_add_may_repeat_audio_and_the_lookup_finds_every_copy_oldest_first()
    {
        var user = await NewUserAsync();
        var a = await AddAsync(user, Track("A", hash: "ca") with { AudioHash = "audio-y" });
        Time.Advance(TimeSpan.FromSeconds(1));
        var b = await AddAsync(user, Track("B", hash: "cb") with { AudioHash = "audio-y" });

        var found = await Store.Tracks.FindByAudioHashAsync(user, "audio-y", Ct);
        var added = await Store.Tracks.AddTrackIfNewAudioAsync(user, Owned(user, Track("C", hash: "cc") with { AudioHash = "audio-y" }), null, Ct);

        Assert.Equal([a.Id, b.Id], found.Select(t => t.Id));
        Assert.False(added.Added);
        Assert.Equal(a.Id, added.Track.Id);
        await Assert.ThrowsAsync<MetadataArgumentException>(() => Store.Tracks.FindByAudioHashAsync(user, "", Ct));
    }
}
