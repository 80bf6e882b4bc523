using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Tests.Conformance;

/// <summary>
/// What a track is charged: a file's identity is its content hash and its size, so only a true copy of a counted file
/// is free, and removing the counted copy hands exactly its bytes to a remaining copy.
/// </summary>
public abstract partial class MetadataStoreConformance
{
    private const long Terabyte = 1_000_000_000_000;

    [Fact]
    public async Task A_huge_file_with_a_known_hash_is_charged_its_size_and_refused_past_the_limit()
    {
        var user = await NewUserAsync(); // Free 5 GB
        var tiny = await AddAsync(user, Track("Tiny", size: 1, hash: "same-hash"));
        var error = await Assert.ThrowsAsync<QuotaExceededException>(() => AddAsync(user, Track("Huge", size: Terabyte, hash: "same-hash")));
        Assert.Equal(Terabyte, error.NeededBytes);
        Assert.Equal([tiny.Id], (await Store.Tracks.FindByContentHashAsync(user, "same-hash", Ct)).Select(t => t.Id));

        // Removing the 1-byte original never hands a terabyte to anyone.
        await Store.Tracks.RemoveTrackAsync(user, tiny.Id, Ct);
        Assert.Equal(0, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);

        // On a plan where it fits, the same hash with another size is its own file, charged in full.
        await Store.Quota.SetPlanAsync(user, "gb-1000", 3 * Terabyte, Ct);
        var small = await AddAsync(user, Track("Small", size: 5, hash: "h2"));
        var big = await AddAsync(user, Track("Big", size: Terabyte, hash: "h2"));
        Assert.Equal(Terabyte, big.ChargedBytes);
        Assert.Equal(Terabyte + 5, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
        await Store.Tracks.RemoveTrackAsync(user, small.Id, Ct);
        Assert.Equal(Terabyte, (await Store.Tracks.GetTrackAsync(user, big.Id, Ct)).ChargedBytes);
        Assert.Equal(Terabyte, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);

        // The preview agrees: the same hash with another size counts.
        var preview = await Store.Quota.PreviewAsync(user, [new PlannedUpload("same.mp3", Terabyte, "h2"), new PlannedUpload("other.mp3", 7, "h2")], Ct);
        Assert.Equal([PlannedUploadCharge.Duplicate, PlannedUploadCharge.Counted], preview.Files.Select(f => f.Charge));
        Assert.Equal(7, preview.NeededBytes);
    }

    [Fact]
    public async Task A_purchased_copy_never_makes_an_uploaded_copy_free()
    {
        var user = await NewUserAsync();
        var bought = await AddAsync(user, Track("Bought", size: 3_000, hash: "song", purchased: true));
        var uploaded = await AddAsync(user, Track("Uploaded", size: 3_000, hash: "song"));
        Assert.Equal(0, bought.ChargedBytes);
        Assert.Equal(3_000, uploaded.ChargedBytes);
        Assert.Equal(3_000, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
        var preview = await Store.Quota.PreviewAsync(user, [new PlannedUpload("again.mp3", 3_000, "song")], Ct);
        Assert.Equal(PlannedUploadCharge.Duplicate, preview.Files[0].Charge);

        await Store.Tracks.RemoveTrackAsync(user, bought.Id, Ct);
        Assert.Equal(3_000, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
    }

    [Fact]
    public async Task Removing_the_counted_copy_at_the_limit_moves_exactly_its_charge()
    {
        var user = await NewUserAsync();
        await Store.Quota.SetPlanAsync(user, "free", 3_000, Ct);
        var first = await AddAsync(user, Track("First", size: 3_000, hash: "f"));
        var second = await AddAsync(user, Track("Second", size: 3_000, hash: "f"));
        Assert.Equal(0, second.ChargedBytes);
        await Assert.ThrowsAsync<QuotaExceededException>(() => AddAsync(user, Track("No room", size: 1, hash: "f")));

        await Store.Tracks.RemoveTrackAsync(user, first.Id, Ct);
        Assert.Equal(3_000, (await Store.Tracks.GetTrackAsync(user, second.Id, Ct)).ChargedBytes);
        var status = await Store.Quota.GetStatusAsync(user, Ct);
        Assert.Equal(3_000, status.UsedBytes);
        Assert.True(status.UsedBytes <= status.LimitBytes);
        await Store.Tracks.RemoveTrackAsync(user, second.Id, Ct);
        Assert.Equal(0, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
    }

    [Fact]
    public async Task Same_hash_different_sizes_added_concurrently_from_several_instances_are_each_charged_once()
    {
        var stores = new[] { Store, await OpenAnotherAsync(), await OpenAnotherAsync(), await OpenAnotherAsync() };
        var user = await NewUserAsync();
        var added = await TogetherAsync(24, i => stores[i % stores.Length].Tracks.AddTrackAsync(
            user, Owned(user, Track($"Copy {i}", size: 4_000 + (i % 3) * 1_000, hash: "one-hash", purchased: i % 8 == 7)), null, Ct));

        var counted = added.Where(t => t.ChargedBytes > 0).ToList();
        Assert.Equal([4_000L, 5_000, 6_000], counted.Select(t => t.SizeBytes).Order());
        Assert.All(counted, t => Assert.Equal(t.SizeBytes, t.ChargedBytes));
        Assert.All(added.Where(t => t.IsPurchased), t => Assert.Equal(0, t.ChargedBytes));
        Assert.Equal(15_000, (await Store.Quota.GetStatusAsync(user, Ct)).UsedBytes);
    }
}
