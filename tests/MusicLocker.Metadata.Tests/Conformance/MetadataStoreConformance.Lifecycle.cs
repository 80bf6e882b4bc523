using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>What the locker's retention, reconcile and export need: activity and claims, key-ordered catalog, all plays, reservations, usage.</summary>
public abstract partial class MetadataStoreConformance
{
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    [Fact]
    public async Task The_catalog_by_storage_key_pages_in_ordinal_order_across_batches_and_holds_only_the_users_tracks()
    {
        string user = await NewUserAsync();
        await NewUserAsync("bob");
        var keys = new List<string>();
        string[] shapes = ["T", "a", "Z", "_", "é", "~", "0"];
        for (int i = 0; i < 430; i++)
        {
            string rest = $"tracks/{shapes[i % shapes.Length]}{i:D4}";
            keys.Add(KeyOf(user, rest));
            await AddAsync(user, Track("t" + i, storageKey: "~/" + rest));
        }

        await AddAsync(user, Track("shares a key", storageKey: "~/tracks/a0001"));
        keys.Add(KeyOf(user, "tracks/a0001"));
        await AddAsync("bob", Track("bob's", storageKey: "~/tracks/a0001"));

        var listed = new List<TrackRecord>();
        await foreach (var track in Store.Tracks.ListByStorageKeyAsync(user, Ct))
        {
            listed.Add(track);
        }

        Assert.Equal(keys.Order(StringComparer.Ordinal), listed.Select(t => t.StorageKey));
        Assert.All(listed, t => Assert.Equal(user, t.UserId));
        Assert.Equal(listed.Count, listed.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public async Task All_plays_stream_oldest_first_across_pages()
    {
        string user = await NewUserAsync();
        var a = await AddAsync(user, Track("A"));
        var b = await AddAsync(user, Track("B"));
        for (int i = 0; i < 1_100; i++)
        {
            await Store.History.RecordPlayAsync(user, i % 3 == 0 ? a.Id : b.Id, Ct);
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        var plays = new List<PlayRecord>();
        await foreach (var play in Store.History.ListPlaysAsync(user, Ct))
        {
            plays.Add(play);
        }

        Assert.Equal(1_100, plays.Count);
        Assert.Equal(plays.Select(p => p.PlayedAt).Order(), plays.Select(p => p.PlayedAt));
        Assert.Equal(367, plays.Count(p => p.Track.Id == a.Id));
    }

    [Fact]
    public async Task Activity_is_written_once_per_interval_and_clears_a_warning()
    {
        string user = await NewUserAsync();
        Assert.False(await Store.Users.RecordActivityAsync(user, OneDay, Ct)); // a new user starts active
        Assert.False(await Store.Users.RecordActivityAsync("nobody", OneDay, Ct));

        Time.Advance(TimeSpan.FromDays(10));
        var idle = Assert.Single(await Store.Users.ListInactiveAsync(TimeSpan.FromDays(9), null, 10, Ct));
        Assert.Equal((user, (DateTimeOffset?)null), (idle.UserId, idle.RetentionWarnedAt));
        Assert.True(await Store.Users.TryMarkRetentionWarnedAsync(user, TimeSpan.FromDays(9), Ct));
        Assert.False(await Store.Users.TryMarkRetentionWarnedAsync(user, TimeSpan.FromDays(9), Ct));
        Assert.Equal(Time.GetUtcNow(), (await Store.Users.ListInactiveAsync(TimeSpan.FromDays(9), null, 10, Ct))[0].RetentionWarnedAt);

        Assert.True(await Store.Users.RecordActivityAsync(user, OneDay, Ct));
        Assert.False(await Store.Users.RecordActivityAsync(user, OneDay, Ct));
        Assert.Empty(await Store.Users.ListInactiveAsync(TimeSpan.FromDays(9), null, 10, Ct));
        Time.Advance(TimeSpan.FromDays(10));
        Assert.Null(Assert.Single(await Store.Users.ListInactiveAsync(TimeSpan.FromDays(9), null, 10, Ct)).RetentionWarnedAt);
    }

    [Fact]
    public async Task Inactive_users_page_by_id_and_of_two_instances_one_warns_and_one_claims()
    {
        var users = new List<string>();
        for (int i = 0; i < 7; i++)
        {
            users.Add(await NewUserAsync($"user{i}"));
        }

        Time.Advance(TimeSpan.FromDays(100));
        var paged = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await Store.Users.ListInactiveAsync(TimeSpan.FromDays(50), after, 3, Ct);
            paged.AddRange(page.Select(u => u.UserId));
            if (page.Count < 3)
            {
                break;
            }

            after = page[^1].UserId;
        }

        Assert.Equal(users, paged);
        var other = await OpenAnotherAsync();
        var warns = await Task.WhenAll(users.SelectMany(u => new[] { Store, other }.Select(s => Task.Run(() => s.Users.TryMarkRetentionWarnedAsync(u, TimeSpan.FromDays(50), Ct), Ct))));
        Assert.Equal(users.Count, warns.Count(w => w));

        // A claim needs the whole idle period and a warning old enough; one winner; the lease lets a later sweep take over.
        Assert.False(await Store.Users.TryClaimRetentionDeletionAsync("user0", TimeSpan.FromDays(50), TimeSpan.FromDays(1), TimeSpan.FromHours(1), Ct));
        Time.Advance(OneDay);
        Assert.False(await Store.Users.TryClaimRetentionDeletionAsync("user0", TimeSpan.FromDays(200), TimeSpan.FromDays(1), TimeSpan.FromHours(1), Ct));
        var claims = await Task.WhenAll(new[] { Store, other }.Select(s => Task.Run(() => s.Users.TryClaimRetentionDeletionAsync("user0", TimeSpan.FromDays(50), TimeSpan.FromDays(1), TimeSpan.FromHours(1), Ct), Ct)));
        Assert.Equal(1, claims.Count(c => c));
        Assert.False(await Store.Users.RecordActivityAsync("user0", OneDay, Ct)); // a claimed account is not revived
        Time.Advance(TimeSpan.FromHours(1));
        Assert.True(await other.Users.TryClaimRetentionDeletionAsync("user0", TimeSpan.FromDays(50), TimeSpan.FromDays(1), TimeSpan.FromHours(1), Ct));
    }

    [Fact]
    public async Task Reservations_list_unexpired_ones_and_the_usage_check_agrees_with_honest_counters()
    {
        string user = await NewUserAsync();
        var first = await Store.Quota.ReserveAsync(user, 100, Ct);
        Time.Advance(ReservationLifetime / 2);
        var second = await Store.Quota.ReserveAsync(user, 200, Ct);
        await AddAsync(user, Track("kept", size: 700), first.Id);
        await AddAsync(user, Track("bought", size: 900, purchased: true));

        Assert.Equal([second.Id], (await Store.Quota.ListReservationsAsync(user, Ct)).Select(r => r.Id));
        var check = await Store.Quota.CheckUsageAsync(user, repair: true, Ct);
        Assert.Equal(new QuotaUsageCheck(user, 700, 700, 200, 200, false), check);
        Assert.False(check.HasDrift);

        Time.Advance(ReservationLifetime);
        Assert.Empty(await Store.Quota.ListReservationsAsync(user, Ct));
        Assert.False((await Store.Quota.CheckUsageAsync(user, cancellationToken: Ct)).HasDrift);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Quota.ListReservationsAsync("nobody", Ct));
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Quota.CheckUsageAsync("nobody", cancellationToken: Ct));
    }
}
