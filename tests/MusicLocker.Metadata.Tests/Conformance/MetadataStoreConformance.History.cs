using MusicLocker.Metadata;

namespace MusicLocker.Metadata.Tests.Conformance;

public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task Plays_are_recorded_with_recent_first_and_counted()
    {
        var user = await NewUserAsync();
        var a = await AddAsync(user, Track("A"));
        var b = await AddAsync(user, Track("B"));
        var c = await AddAsync(user, Track("C"));
        foreach (var track in new[] { a, b, a, c, a, b })
        {
            Assert.True(await Store.History.RecordPlayAsync(user, track.Id, Ct));
            Time.Advance(TimeSpan.FromMinutes(3));
        }

        var recent = await Store.History.GetRecentlyPlayedAsync(user, 4, Ct);
        Assert.Equal(["B", "A", "C", "A"], recent.Select(p => p.Track.Tags.Title));
        Assert.Equal(Time.GetUtcNow() - TimeSpan.FromMinutes(3), recent[0].PlayedAt);

        var most = await Store.History.GetMostPlayedAsync(user, 10, Ct);
        Assert.Equal(["A:3", "B:2", "C:1"], most.Select(m => $"{m.Track.Tags.Title}:{m.PlayCount}"));
        Assert.Equal(recent[1].PlayedAt, most[0].LastPlayedAt);
        Assert.Equal(3, await Store.History.GetPlayCountAsync(user, a.Id, Ct));

        var bob = await NewUserAsync("bob");
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.History.RecordPlayAsync(bob, a.Id, Ct));
        Assert.Empty(await Store.History.GetRecentlyPlayedAsync(bob, cancellationToken: Ct));
    }

    [Fact]
    public async Task Turning_history_off_erases_it_and_stops_recording()
    {
        var user = await NewUserAsync();
        var bob = await NewUserAsync("bob");
        var a = await AddAsync(user, Track("A"));
        var bobs = await AddAsync(bob, Track("Bob's"));
        await Store.History.RecordPlayAsync(user, a.Id, Ct);
        await Store.History.RecordPlayAsync(user, a.Id, Ct);
        await Store.History.RecordPlayAsync(bob, bobs.Id, Ct);

        Assert.Equal(2, await Store.History.SetEnabledAsync(user, false, Ct));
        Assert.False((await Store.Users.GetAsync(user, Ct)).HistoryEnabled);
        Assert.Empty(await Store.History.GetRecentlyPlayedAsync(user, cancellationToken: Ct));
        Assert.Empty(await Store.History.GetMostPlayedAsync(user, cancellationToken: Ct));
        Assert.Equal(0, await Store.History.GetPlayCountAsync(user, a.Id, Ct));

        Assert.False(await Store.History.RecordPlayAsync(user, a.Id, Ct));
        Assert.Equal(0, await Store.History.GetPlayCountAsync(user, a.Id, Ct));
        Assert.Equal(1, await Store.History.GetPlayCountAsync(bob, bobs.Id, Ct));

        Assert.Equal(0, await Store.History.SetEnabledAsync(user, true, Ct));
        Assert.True(await Store.History.RecordPlayAsync(user, a.Id, Ct));
        Assert.Equal(1, await Store.History.GetPlayCountAsync(user, a.Id, Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.History.SetEnabledAsync("nobody", false, Ct));
    }
}
