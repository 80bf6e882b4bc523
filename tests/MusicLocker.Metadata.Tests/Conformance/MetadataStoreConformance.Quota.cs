using System.Collections.Concurrent;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Tests.Conformance;

public abstract partial class MetadataStoreConformance
{
    [Fact]
    public async Task New_user_is_on_the_free_5_GB_plan_with_nothing_used()
    {
        var user = await NewUserAsync();
        var status = await Store.Quota.GetStatusAsync(user, Ct);
        Assert.Equal("free", status.Plan.Id);
        Assert.Equal(5_000_000_000L, status.LimitBytes);
        Assert.Equal(0, status.UsedBytes);
        Assert.Equal(0, status.ReservedBytes);
        Assert.Equal(5_000_000_000L, status.AvailableBytes);
        Assert.Equal([5L, 20, 50, 100, 200, 500, 1000], Store.Plans.Plans.Select(p => p.LimitBytes / 1_000_000_000L));
    }

    [Fact]
    public async Task Reserve_commit_and_release_move_bytes_between_reserved_and_used()
    {
        var user = await NewUserAsync();
        var first = await Store.Quota.ReserveAsync(user, 4_000, Ct);
        var second = await Store.Quota.ReserveAsync(user, 3_000, Ct);
        Assert.Equal(Time.GetUtcNow() + ReservationLifetime, first.ExpiresAt);
        Assert.Equal(7_000, (await Store.Quota.GetStatusAsync(user, Ct)).ReservedBytes);

        var afterCommit = await Store.Quota.CommitAsync(user, first.Id, 3_500, Ct);
        Assert.Equal(3_500, afterCommit.UsedBytes);
        Assert.Equal(3_000, afterCommit.ReservedBytes);

        Assert.True(await Store.Quota.ReleaseAsync(user, second.Id, Ct));
        Assert.False(await Store.Quota.ReleaseAsync(user, second.Id, Ct));
        var status = await Store.Quota.GetStatusAsync(user, Ct);
        Assert.Equal(3_500, status.UsedBytes);
        Assert.Equal(0, status.ReservedBytes);

        var again = await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Quota.CommitAsync(user, first.Id, 1, Ct));
        Assert.Equal(MetadataEntity.QuotaReservation, again.Entity);
    }

    [Fact]
    public async Task Reservation_past_the_quota_fails_with_needed_available_and_plan()
    {
        var user = await NewUserAsync();
        await Store.Quota.SetPlanAsync(user, "gb-20", 10_000, Ct);
        await Store.Quota.ReserveAsync(user, 7_000, Ct);

        var error = await Assert.ThrowsAsync<QuotaExceededException>(() => Store.Quota.ReserveAsync(user, 3_001, Ct));
        Assert.Equal(3_001, error.NeededBytes);
        Assert.Equal(3_000, error.AvailableBytes);
        Assert.Equal(10_000, error.LimitBytes);
        Assert.Equal("gb-20", error.Plan.Id);
        Assert.Equal(user, error.UserId);
        Assert.Equal(MetadataErrorCode.QuotaExceeded, error.ErrorCode);
        Assert.Contains("3,001", error.Message, StringComparison.Ordinal);

        await Store.Quota.ReserveAsync(user, 3_000, Ct);
        Assert.Equal(0, (await Store.Quota.GetStatusAsync(user, Ct)).AvailableBytes);
    }

    [Fact]
    public async Task Commit_beyond_the_reservation_must_fit_else_the_reservation_stays()
    {
        var user = await NewUserAsync();
        await Store.Quota.SetPlanAsync(user, "free", 10_000, Ct);
        var small = await Store.Quota.ReserveAsync(user, 1_000, Ct);
        await Store.Quota.ReserveAsync(user, 8_000, Ct);

        var error = await Assert.ThrowsAsync<QuotaExceededException>(() => Store.Quota.CommitAsync(user, small.Id, 2_500, Ct));
        Assert.Equal(2_500, error.NeededBytes);
        Assert.Equal(2_000, error.AvailableBytes);
        Assert.Equal(9_000, (await Store.Quota.GetStatusAsync(user, Ct)).ReservedBytes);

        var status = await Store.Quota.CommitAsync(user, small.Id, 1_900, Ct);
        Assert.Equal(1_900, status.UsedBytes);
        Assert.Equal(8_000, status.ReservedBytes);
    }

    [Fact]
    public async Task Reservations_expire_on_the_injected_clock_so_a_crashed_upload_leaks_nothing()
    {
        var user = await NewUserAsync();
        await Store.Quota.SetPlanAsync(user, "free", 10_000, Ct);
        var crashed = await Store.Quota.ReserveAsync(user, 9_000, Ct);
        await Assert.ThrowsAsync<QuotaExceededException>(() => Store.Quota.ReserveAsync(user, 2_000, Ct));

        Time.Advance(ReservationLifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(9_000, (await Store.Quota.GetStatusAsync(user, Ct)).ReservedBytes);

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await Store.Quota.GetStatusAsync(user, Ct)).ReservedBytes);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Quota.CommitAsync(user, crashed.Id, 9_000, Ct));
        Assert.False(await Store.Quota.ReleaseAsync(user, crashed.Id, Ct));

        var next = await Store.Quota.ReserveAsync(user, 10_000, Ct);
        var status = await Store.Quota.CommitAsync(user, next.Id, 10_000, Ct);
        Assert.Equal(10_000, status.UsedBytes);
        Assert.Equal(0, status.ReservedBytes);
    }

    [Fact]
    public async Task Purchased_tracks_and_duplicates_do_not_count()
    {
        var user = await NewUserAsync();
        var bought = await AddAsync(user, Track("Bought", size: 5_000, purchased: true));
        var original = await AddAsync(user, Track("Mine", size: 3_000, hash: "same"));
        var copy = await AddAsync(user, Track("Mine again", size: 3_000, hash: "same"));
        Assert.Equal(0, bought.ChargedBytes);
        Assert.Equal(3_000, original.ChargedBytes);
        Assert.Equal(0, copy.ChargedBytes);
        Assert.Equal(3_000, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);

        // Removing the counted copy hands the charge to the remaining one; removing that gives it back.
        var removed = await Store.Tracks.RemoveTrackAsync(user, original.Id, Ct);
        Assert.Equal(original.Id, removed.Track.Id);
        Assert.Equal(3_000, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
        Assert.Equal(3_000, (await Store.Tracks.GetTrackAsync(user, copy.Id, Ct)).ChargedBytes);
        await Store.Tracks.RemoveTrackAsync(user, copy.Id, Ct);
        Assert.Equal(0, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);

        // Another user's identical file is theirs to pay for.
        var bob = await NewUserAsync("bob");
        Assert.Equal(3_000, (await AddAsync(bob, Track("Mine", size: 3_000, hash: "same"))).ChargedBytes);
    }

    [Fact]
    public async Task Adding_a_track_with_a_reservation_commits_it_in_the_same_transaction()
    {
        var user = await NewUserAsync();
        await Store.Quota.SetPlanAsync(user, "free", 10_000, Ct);
        var reservation = await Store.Quota.ReserveAsync(user, 6_000, Ct);
        var track = await AddAsync(user, Track("Uploaded", size: 5_500), reservation.Id);
        Assert.Equal(5_500, track.ChargedBytes);
        var status = await Store.Quota.GetStatusAsync(user, Ct);
        Assert.Equal(5_500, status.UsedBytes);
        Assert.Equal(0, status.ReservedBytes);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Tracks.AddTrackAsync(user, Owned(user, Track("Twice")), reservation.Id, Ct));

        // A purchased upload releases its reservation and charges nothing.
        var forBought = await Store.Quota.ReserveAsync(user, 4_000, Ct);
        await AddAsync(user, Track("Bought", size: 4_000, purchased: true), forBought.Id);
        status = await Store.Quota.GetStatusAsync(user, Ct);
        Assert.Equal(5_500, status.UsedBytes);
        Assert.Equal(0, status.ReservedBytes);

        // Someone else's reservation cannot be spent.
        var bob = await NewUserAsync("bob");
        var bobs = await Store.Quota.ReserveAsync(bob, 100, Ct);
        await Assert.ThrowsAsync<MetadataNotFoundException>(() => Store.Tracks.AddTrackAsync(user, Owned(user, Track("Theft", size: 100)), bobs.Id, Ct));
    }

    [Fact]
    public async Task A_track_that_does_not_fit_is_not_catalogued()
    {
        var user = await NewUserAsync();
        await Store.Quota.SetPlanAsync(user, "free", 2_000, Ct);
        await AddAsync(user, Track("Fits", size: 1_500));
        var error = await Assert.ThrowsAsync<QuotaExceededException>(() => Store.Tracks.AddTrackAsync(user, Owned(user, Track("Too big", size: 501)), null, Ct));
        Assert.Equal(501, error.NeededBytes);
        Assert.Equal(500, error.AvailableBytes);
        Assert.Equal(["Fits"], Titles((await Store.Tracks.BrowsePageAsync(user, new TrackQuery(), Ct)).Items));
    }

    [Fact]
    public async Task Plans_are_data_an_app_can_define_and_a_user_can_override()
    {
        var plans = new QuotaPlanCatalog([new QuotaPlan("starter", "Starter", 1_000), new QuotaPlan("pro", "Pro", 1_000_000)], "starter");
        var store = await OpenAnotherAsync(plans);
        await store.Users.EnsureAsync("carol", cancellationToken: Ct);
        Assert.Equal(1_000, (await store.Quota.GetStatusAsync("carol", Ct)).LimitBytes);
        var pro = await store.Quota.SetPlanAsync("carol", "pro", cancellationToken: Ct);
        Assert.Equal(1_000_000, pro.LimitBytes);
        var overridden = await store.Quota.SetPlanAsync("carol", "pro", 42, Ct);
        Assert.Equal(42, overridden.LimitBytes);
        Assert.Equal("pro", (await store.Quota.GetStatusAsync("carol", Ct)).Plan.Id);
        Assert.Equal(42, (await store.Users.GetAsync("carol", Ct)).QuotaOverrideBytes);
        await Assert.ThrowsAsync<MetadataArgumentException>(() => store.Quota.SetPlanAsync("carol", "platinum", null, Ct));
        Assert.Throws<ArgumentException>(() => new QuotaPlanCatalog([new QuotaPlan("a", "A", 1), new QuotaPlan("a", "A2", 2)], "a"));
    }

    [Fact]
    public async Task Preview_says_what_a_planned_upload_needs_and_which_files_fit()
    {
        var user = await NewUserAsync();
        await Store.Quota.SetPlanAsync(user, "free", 10_000, Ct);
        await AddAsync(user, Track("Stored", size: 2_000, hash: "stored"));
        await Store.Quota.ReserveAsync(user, 1_000, Ct);

        var preview = await Store.Quota.PreviewAsync(user,
        [
            new PlannedUpload("a.mp3", 4_000),
            new PlannedUpload("b.mp3", 2_000, "stored"),
            new PlannedUpload("c.m4a", 9_000, null, IsPurchased: true),
            new PlannedUpload("d.mp3", 2_500, "new"),
            new PlannedUpload("e.mp3", 2_500, "new"),
            new PlannedUpload("f.mp3", 1_000),
        ], Ct);

        Assert.Equal(6, preview.FileCount);
        Assert.Equal(7_500, preview.NeededBytes);
        Assert.Equal(7_000, preview.Status.AvailableBytes);
        Assert.Equal(10_000, preview.Status.LimitBytes);
        Assert.False(preview.Fits);
        Assert.Equal(
            [PlannedUploadCharge.Counted, PlannedUploadCharge.Duplicate, PlannedUploadCharge.Purchased, PlannedUploadCharge.Counted, PlannedUploadCharge.Duplicate, PlannedUploadCharge.Counted],
            preview.Files.Select(f => f.Charge));
        Assert.Equal([true, true, true, true, true, false], preview.Files.Select(f => f.Fits));
        Assert.Equal("f.mp3", preview.Files[5].File.Name);

        var small = await Store.Quota.PreviewAsync(user, [new PlannedUpload("x.mp3", 7_000)], Ct);
        Assert.True(small.Fits);
    }

    [Fact]
    public async Task Reconcile_recomputes_usage_from_stored_objects_and_reports_drift()
    {
        var user = await NewUserAsync();
        await AddAsync(user, Track("One", size: 1_000, hash: "h1", storageKey: "~/1"));
        await AddAsync(user, Track("One copy", size: 1_000, hash: "h1", storageKey: "~/1"));
        await AddAsync(user, Track("Two", size: 2_000, hash: "h2", storageKey: "~/2"));
        await AddAsync(user, Track("Bought", size: 5_000, purchased: true, storageKey: "~/bought"));
        var reservation = await Store.Quota.ReserveAsync(user, 700, Ct);
        await Store.Quota.CommitAsync(user, reservation.Id, 700, Ct); // bytes with no track behind them: drift

        StoredObject[] stored = [new(KeyOf(user, "1"), 1_000), new(KeyOf(user, "bought"), 5_000), new(KeyOf(user, "orphan"), 123)];
        var report = await Store.Quota.ReconcileAsync(user, stored.ToAsyncEnumerable(), apply: false, Ct);
        Assert.Equal(3_700, report.RecordedBytes);
        Assert.Equal(1_000, report.ComputedBytes);
        Assert.Equal(-2_700, report.DriftBytes);
        Assert.True(report.HasDrift);
        Assert.Equal([KeyOf(user, "orphan")], report.OrphanedKeys);
        Assert.Equal([KeyOf(user, "2")], report.MissingKeys);
        Assert.False(report.Applied);
        Assert.Equal(3_700, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);

        var applied = await Store.Quota.ReconcileAsync(user, stored.ToAsyncEnumerable(), apply: true, Ct);
        Assert.True(applied.Applied);
        Assert.Equal(1_000, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
        var clean = await Store.Quota.ReconcileAsync(user, stored.ToAsyncEnumerable(), apply: true, Ct);
        Assert.False(clean.HasDrift);
    }

    /// <summary>
    /// The test: 4 store instances on one database, 200 concurrent reservations against a quota that fits only some.
    /// Usage plus reservations never exceeds the quota, and after every commit and release the ledger equals the sum of
    /// the committed sizes.
    /// </summary>
    [Fact]
    public async Task Two_hundred_concurrent_reservations_from_four_instances_never_exceed_the_quota()
    {
        const long limit = 60_000;
        var stores = new[] { Store, await OpenAnotherAsync(), await OpenAnotherAsync(), await OpenAnotherAsync() };
        var user = await NewUserAsync("crowd");
        await Store.Quota.SetPlanAsync(user, "free", limit, Ct);

        long committed = 0;
        int exceeded = 0, reserved = 0;
        var violations = new ConcurrentQueue<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            var store = stores[i % stores.Length];
            long size = 200 + (i % 10) * 100;
            QuotaReservation reservation;
            try
            {
                reservation = await store.Quota.ReserveAsync(user, size, Ct);
            }
            catch (QuotaExceededException error)
            {
                Interlocked.Increment(ref exceeded);
                if (error.NeededBytes != size || error.AvailableBytes >= size)
                {
                    violations.Enqueue($"refused {size} with {error.AvailableBytes} available");
                }

                return;
            }

            Interlocked.Increment(ref reserved);
            var during = await store.Quota.GetStatusAsync(user, Ct);
            if (during.UsedBytes + during.ReservedBytes > limit)
            {
                violations.Enqueue($"used {during.UsedBytes} + reserved {during.ReservedBytes} > {limit}");
            }

            if (i % 3 == 0)
            {
                Assert.True(await store.Quota.ReleaseAsync(user, reservation.Id, Ct));
            }
            else
            {
                long actual = size - (i % 5) * 10;
                await store.Quota.CommitAsync(user, reservation.Id, actual, Ct);
                Interlocked.Add(ref committed, actual);
            }
        }, Ct)).ToArray();

        gate.SetResult();
        await Task.WhenAll(tasks);

        Assert.Empty(violations);
        Assert.True(exceeded > 0, "the quota should have refused some reservations");
        Assert.True(reserved > 0, "some reservations should have fitted");
        var final = await stores[3].Quota.GetStatusAsync(user, Ct);
        Assert.Equal(0, final.ReservedBytes);
        Assert.Equal(committed, final.UsedBytes);
        Assert.True(final.UsedBytes <= limit);
    }

    [Fact]
    public async Task A_user_on_a_plan_the_app_no_longer_defines_gets_no_new_quota_but_keeps_working()
    {
        var user = await NewUserAsync("alice", "gb-20");
        var track = await AddAsync(user, Track("Kept", size: 1_000));
        var shrunk = await OpenAnotherAsync(new QuotaPlanCatalog([new QuotaPlan("free", "Free", 5_000)], "free"));

        var status = await shrunk.Quota.GetStatusAsync(user, Ct);
        Assert.Equal(("gb-20", 0L, 1_000L), (status.Plan.Id, status.LimitBytes, status.UsedBytes));
        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => shrunk.Quota.ReserveAsync(user, 1, Ct));
        Assert.Equal(("gb-20", MetadataErrorCode.QuotaExceeded), (refused.Plan.Id, refused.ErrorCode));
        await Assert.ThrowsAsync<QuotaExceededException>(() => shrunk.Tracks.AddTrackAsync(user, Owned(user, Track("More", size: 1)), null, Ct));

        Assert.Equal(track.Id, (await shrunk.Tracks.RemoveTrackAsync(user, track.Id, Ct)).Track.Id);
        var moved = await shrunk.Quota.SetPlanAsync(user, "free", null, Ct);
        Assert.Equal(("free", 5_000L, 0L), (moved.Plan.Id, moved.LimitBytes, moved.UsedBytes));
        await shrunk.Quota.ReserveAsync(user, 1, Ct);

        var unknown = Assert.Throws<MetadataNotFoundException>(() => shrunk.Plans.Get("gb-20"));
        Assert.Equal((MetadataEntity.QuotaPlan, "gb-20", MetadataErrorCode.NotFound), (unknown.Entity, unknown.Id, unknown.ErrorCode));
        Assert.False(shrunk.Plans.TryGet("gb-20", out _));
    }

    [Fact]
    public async Task Reconcile_reads_a_streamed_listing_without_holding_the_users_lock()
    {
        var user = await NewUserAsync();
        await AddAsync(user, Track("One", size: 1_000, hash: "h1", storageKey: "~/1"));
        var other = await OpenAnotherAsync();
        int yielded = 0;

        // A slow storage listing: between two objects, another instance changes the same user's quota. Were the user's
        // row (or SQLite's write lock) held while the listing streams, that reservation would wait for the reconcile.
        async IAsyncEnumerable<StoredObject> Listing()
        {
            yield return new StoredObject(KeyOf(user, "1"), 1_000);
            yielded++;
            await other.Quota.ReserveAsync(user, 10, Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
            yield return new StoredObject(KeyOf(user, "orphan"), 5);
            yielded++;
        }

        var report = await Store.Quota.ReconcileAsync(user, Listing(), apply: true, Ct);
        Assert.Equal(2, yielded);
        Assert.Equal((1_000L, 1_000L, false), (report.RecordedBytes, report.ComputedBytes, report.Applied));
        Assert.Equal([KeyOf(user, "orphan")], report.OrphanedKeys);
        Assert.Equal(10, (await Store.Quota.GetStatusAsync(user, Ct)).ReservedBytes);
    }
}
