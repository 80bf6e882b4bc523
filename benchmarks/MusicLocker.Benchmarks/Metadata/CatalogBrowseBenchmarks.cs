using BenchmarkDotNet.Attributes;
using MusicLocker.Library;

namespace MusicLocker.Benchmarks.Metadata;

/// <summary>
/// Browsing 100,000 tracks of one user: first page by title, a page deep in the artist order (keyset: as cheap as the
/// first), "Latest uploads", and the first page of albums. Baseline: the first page by title as raw ADO.NET over the
/// same index.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CatalogBrowseBenchmarks
{
    private BenchmarkDatabase _database = null!;
    private string? _deepArtistCursor;

    [Params(MetadataProvider.Sqlite, MetadataProvider.Postgres)]
    public MetadataProvider Provider { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await BenchmarkDatabase.StartAsync(Provider, Provider == MetadataProvider.Sqlite ? "catalog-100k-v2.db" : null);
        await CatalogSeed.SeedAsync(_database);

        // A cursor 80,000 tracks into the artist order.
        string? cursor = null;
        for (int page = 0; page < 160; page++)
        {
            cursor = (await _database.Store.Tracks.BrowseAsync(CatalogSeed.User, new TrackQuery { Sort = TrackSort.Artist, PageSize = 500, Cursor = cursor })).NextCursor;
        }

        _deepArtistCursor = cursor;
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _database.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public async Task<int> RawAdoNet_BrowseTitleFirstPage()
    {
        await using var connection = await _database.OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT t.id, t.user_id, t.title, t.artist, t.album, t.album_artist, t.genre, t.year, t.track_no, t.track_count, t.disc_no, t.disc_count, " +
            "t.duration_ms, t.codec, t.bitrate_kbps, t.size_bytes, t.charged_bytes, t.content_hash, t.audio_hash, t.is_purchased, t.added_at, t.storage_key, t.title_key " +
            "FROM tracks t WHERE t.user_id = @u ORDER BY t.title_key, t.id LIMIT 51";
        var u = command.CreateParameter();
        u.ParameterName = "u";
        u.Value = CatalogSeed.User;
        command.Parameters.Add(u);
        await using var reader = await command.ExecuteReaderAsync();
        int rows = 0;
        var values = new object[reader.FieldCount];
        while (await reader.ReadAsync())
        {
            reader.GetValues(values);
            rows++;
        }

        return rows;
    }

    [Benchmark]
    public async Task<int> Store_BrowseTitleFirstPage() =>
        (await _database.Store.Tracks.BrowseAsync(CatalogSeed.User, new TrackQuery())).Items.Count;

    [Benchmark]
    public async Task<int> Store_BrowseArtistDeepPage() =>
        (await _database.Store.Tracks.BrowseAsync(CatalogSeed.User, new TrackQuery { Sort = TrackSort.Artist, Cursor = _deepArtistCursor })).Items.Count;

    [Benchmark]
    public async Task<int> Store_LatestUploads() =>
        (await _database.Store.Tracks.GetLatestAsync(CatalogSeed.User, 50)).Count;

    [Benchmark]
    public async Task<int> Store_AlbumsFirstPage() =>
        (await _database.Store.Tracks.ListAlbumsAsync(CatalogSeed.User, 50)).Items.Count;
}
