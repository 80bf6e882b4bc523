using System.Data.Common;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Metadata.Tests;

/// <summary>
/// Rows an older version wrote when a file was its hash alone, and what each provider's upgrade must make of them:
/// every uploaded file is paid for once per (hash, size), the oldest copy pays, and the user may end up over quota.
/// </summary>
internal static class LegacyChargeRepairCase
{
    private const long Terabyte = 1_000_000_000_000;

    /// <summary>(title, hash, size, charged, purchased, added at) as the old version stored them.</summary>
    private static readonly (string Title, string Hash, long Size, long Charged, bool Purchased, long AddedAt)[] Rows =
    [
        ("Tiny", "h", 1, 1, false, 1),
        ("Huge, free under the old rule", "h", Terabyte, 0, false, 2),
        ("Bought", "p", 3_000, 0, true, 3),
        ("Uploaded after buying", "p", 3_000, 0, false, 4),
        ("Counted", "c", 500, 500, false, 5),
        ("True copy", "c", 500, 0, false, 6),
        ("Orphaned copy, older", "d", 700, 0, false, 7),
        ("Orphaned copy, newer", "d", 700, 0, false, 8),
    ];

    public const long UsedBefore = 501;

    public static async Task InsertAsync(DbConnection connection, string userId, CancellationToken cancellationToken)
    {
        await using (var user = connection.CreateCommand())
        {
            user.CommandText = $"INSERT INTO locker_users (user_id, plan_id, used_bytes, reserved_bytes, history_enabled, created_at) VALUES ('{userId}', 'free', {UsedBefore}, 0, TRUE, 0)";
            await user.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var row in Rows)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText =
                "INSERT INTO tracks (id, user_id, title, track_no, disc_no, title_key, artist_key, album_key, album_artist_key, genre_key, search_text, duration_ms, codec, " +
                "bitrate_kbps, size_bytes, charged_bytes, content_hash, audio_hash, is_purchased, added_at, storage_key) VALUES " +
                "(@id, @u, @title, 0, 0, @title, '', '', '', '', @title, 1000, 'mp3', 128, @size, @charged, @hash, @hash, @purchased, @added, @key)";
            Add(insert, "id", Guid.NewGuid());
            Add(insert, "u", userId);
            Add(insert, "title", row.Title);
            Add(insert, "size", row.Size);
            Add(insert, "charged", row.Charged);
            Add(insert, "hash", row.Hash);
            Add(insert, "purchased", row.Purchased);
            Add(insert, "added", row.AddedAt);
            Add(insert, "key", $"users/{userId}/{row.AddedAt}");
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public static async Task AssertRepairedAsync(ILockerMetadataStore store, string userId, CancellationToken cancellationToken)
    {
        var tracks = await store.Tracks.BrowsePageAsync(userId, new TrackQuery { PageSize = 50 }, cancellationToken);
        var charged = tracks.Items.ToDictionary(t => t.Tags.Title, t => t.ChargedBytes);
        Assert.Equal(1, charged["Tiny"]);
        Assert.Equal(Terabyte, charged["Huge, free under the old rule"]);
        Assert.Equal(0, charged["Bought"]);
        Assert.Equal(3_000, charged["Uploaded after buying"]);
        Assert.Equal(500, charged["Counted"]);
        Assert.Equal(0, charged["True copy"]);
        Assert.Equal(700, charged["Orphaned copy, older"]);
        Assert.Equal(0, charged["Orphaned copy, newer"]);

        var status = await store.Quota.GetStatusAsync(userId, cancellationToken);
        Assert.Equal(UsedBefore + Terabyte + 3_000 + 700, status.UsedBytes);
        Assert.Equal(0, status.AvailableBytes);
        await Assert.ThrowsAsync<QuotaExceededException>(() => store.Quota.ReserveAsync(userId, 1, cancellationToken));
        Assert.Equal(8, tracks.Items.Count);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
