using BenchmarkDotNet.Attributes;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Sql;

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
            cursor = (await _database.Store.Tracks.BrowsePageAsync(CatalogSeed.User, new TrackQuery { Sort = TrackSort.Artist, PageSize = 500, Cursor = cursor })).NextCursor;
        }

        _deepArtistCursor = cursor;
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _database.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public Task<int> RawAdoNet_BrowseTitleFirstPage() =>
        _database.RawReadAllAsync($"SELECT {TrackRows.Columns}, t.title_key FROM tracks t WHERE t.user_id = @u ORDER BY t.title_key, t.id LIMIT 51", ("u", CatalogSeed.User));

    [Benchmark]
    public async Task<int> Store_BrowseTitleFirstPage() =>
        (await _database.Store.Tracks.BrowsePageAsync(CatalogSeed.User, new TrackQuery())).Items.Count;

    [Benchmark]
    public async Task<int> Store_BrowseArtistDeepPage() =>
        (await _database.Store.Tracks.BrowsePageAsync(CatalogSeed.User, new TrackQuery { Sort = TrackSort.Artist, Cursor = _deepArtistCursor })).Items.Count;

    [Benchmark]
    public async Task<int> Store_LatestUploads() =>
        (await _database.Store.Tracks.GetLatestAsync(CatalogSeed.User, 50)).Count;

    [Benchmark]
    public async Task<int> Store_AlbumsFirstPage() =>
        (await _database.Store.Tracks.ListAlbumsPageAsync(CatalogSeed.User, 50)).Items.Count;
}
