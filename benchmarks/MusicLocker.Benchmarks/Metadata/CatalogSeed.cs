using MusicLocker.Metadata;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Benchmarks.Metadata;

/// <summary>
/// 100,000 tracks for one user, deterministic: 2,000 artists × 5 albums × 10 tracks, titles of 2–4 words from a
/// 200-word vocabulary (some accented), so "love" matches about 1.5 % of the tracks and an artist's name about 50.
/// Inserted in one transaction with the store's own column mapping (the store's per-track path would take minutes).
/// </summary>
internal static class CatalogSeed
{
    public const string User = "collector";
    public const int TrackCount = 100_000;

    /// <summary>A word in about 1.5 % of titles.</summary>
    public const string CommonWord = "love";

    /// <summary>An artist with 50 tracks ("Zoë 1232": every 7th artist is a Zoë), typed without its accent.</summary>
    public const string ArtistQuery = "zoe 1232";

    private static readonly string[] Vocabulary = BuildVocabulary();

    public static async Task SeedAsync(BenchmarkDatabase database)
    {
        await database.Store.Users.EnsureAsync(User, "gb-1000");
        await using var connection = await database.OpenRawAsync();
        long existing = await connection.Sql(null, "SELECT COUNT(*) FROM tracks WHERE user_id = @u").With("u", User).Int64Async(CancellationToken.None);
        if (existing == TrackCount)
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync();
        var random = new Random(42);
        long added = DateTimeOffset.UtcNow.AddYears(-1).ToUnixTimeMilliseconds();
        for (int i = 0; i < TrackCount; i++)
        {
            int artist = i / 50;
            int album = i / 10 % 5;
            string artistName = artist % 7 == 0 ? $"Zoë {artist}" : $"Artist {artist}";
            var tags = new TrackTags(Title(random), artistName, $"Album {artist}-{album}", null, Vocabulary[artist % 20], 1970 + artist % 50, i % 10 + 1, 10, 1, 1);
            string hash = $"{i:x8}";
            await connection.Sql(transaction,
                    "INSERT INTO tracks (id, user_id, title, artist, album, album_artist, genre, year, track_no, track_count, disc_no, disc_count, comment, compilation, " +
                    "title_key, artist_key, album_key, album_artist_key, genre_key, search_text, duration_ms, codec, bitrate_kbps, size_bytes, charged_bytes, " +
                    "content_hash, audio_hash, is_purchased, added_at, storage_key) VALUES (@id, @u, @title, @artist, @album, @album_artist, @genre, @year, " +
                    "@track_no, @track_count, @disc_no, @disc_count, @comment, @compilation, @title_key, @artist_key, @album_key, @album_artist_key, @genre_key, @search_text, " +
                    "180000, 'mp3', 256, 5000000, 5000000, @h, @h, FALSE, @added, @h)")
                .With("id", Guid.NewGuid()).With("u", User).WithTags(tags).With("h", hash).With("added", added + i * 1000L)
                .ExecAsync(CancellationToken.None);
        }

        await SqlMigrations.RebuildAlbumIndexAsync(connection, transaction, CancellationToken.None); // rows written past the catalog
        await connection.Sql(transaction, "UPDATE locker_users SET used_bytes = @b WHERE user_id = @u").With("b", TrackCount * 5_000_000L).With("u", User).ExecAsync(CancellationToken.None);
        await transaction.CommitAsync();
        await connection.Sql(null, "ANALYZE").ExecAsync(CancellationToken.None);
    }

    private static string Title(Random random)
    {
        int words = random.Next(2, 5);
        var parts = new string[words];
        for (int w = 0; w < words; w++)
        {
            parts[w] = Vocabulary[random.Next(Vocabulary.Length)];
        }

        parts[0] = char.ToUpperInvariant(parts[0][0]) + parts[0][1..];
        return string.Join(' ', parts);
    }

    private static string[] BuildVocabulary()
    {
        string[] seeds =
        [
            "love", "night", "heart", "dream", "fire", "rain", "road", "home", "light", "dance", "café", "noël", "señor", "über", "déjà",
            "blue", "river", "summer", "winter", "city", "girl", "boy", "song", "time", "world", "moon", "sun", "star", "sky", "sea",
            "ángel", "corazón", "été", "fiancée", "garçon", "naïve", "smörgåsbord", "straße", "jalapeño", "piñata",
        ];
        var words = new List<string>(seeds);
        for (int i = 0; words.Count < 200; i++)
        {
            words.Add($"{seeds[i % 30]}{(char)('a' + i % 26)}{i}");
        }

        return [.. words];
    }
}
