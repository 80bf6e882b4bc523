using BenchmarkDotNet.Attributes;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Benchmarks.Metadata;

/// <summary>
/// First page (50) of a search over 100,000 tracks of one user. Baseline: the store's own SQL for the same query, run as
/// raw ADO.NET reading every column (what the store adds is folding, query building, mapping and the cursor).
/// Target: first page of a search ≤ 5 ms on SQLite.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CatalogSearchBenchmarks
{
    private BenchmarkDatabase _database = null!;
    private string _rawSql = string.Empty;
    private string _rawQuery = string.Empty;
    private string? _secondPageCursor;

    [Params(MetadataProvider.Sqlite, MetadataProvider.Postgres)]
    public MetadataProvider Provider { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await BenchmarkDatabase.StartAsync(Provider, Provider == MetadataProvider.Sqlite ? "catalog-100k-v2.db" : null);
        await CatalogSeed.SeedAsync(_database);
        var dialect = _database.Dialect;
        _rawQuery = dialect.BuildSearchQuery(CatalogSeed.User, CatalogText.Words(CatalogSeed.CommonWord));
        _rawSql = $"SELECT {TrackRows.Columns}, {dialect.SearchOrderColumn} FROM {dialect.SearchSource} WHERE {dialect.SearchPredicate} AND t.user_id = @u " +
            $"ORDER BY {dialect.SearchOrderColumn} DESC LIMIT 51";
        var first = await _database.Store.Tracks.SearchPageAsync(CatalogSeed.User, CatalogSeed.CommonWord, 50);
        _secondPageCursor = first.NextCursor ?? throw new InvalidOperationException("the common word should match more than one page");
        int artistMatches = (await _database.Store.Tracks.SearchPageAsync(CatalogSeed.User, CatalogSeed.ArtistQuery, 100)).Items.Count;
        if (artistMatches != 50)
        {
            throw new InvalidOperationException($"'{CatalogSeed.ArtistQuery}' should match one artist's 50 tracks, not {artistMatches}.");
        }
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _database.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public Task<int> RawAdoNet_SearchCommonWord() => _database.RawReadAllAsync(_rawSql, ("q", _rawQuery), ("u", CatalogSeed.User));

    [Benchmark]
    public async Task<int> Store_SearchCommonWord_FirstPage() =>
        (await _database.Store.Tracks.SearchPageAsync(CatalogSeed.User, CatalogSeed.CommonWord, 50)).Items.Count;

    [Benchmark]
    public async Task<int> Store_SearchCommonWord_SecondPage() =>
        (await _database.Store.Tracks.SearchPageAsync(CatalogSeed.User, CatalogSeed.CommonWord, 50, _secondPageCursor)).Items.Count;

    [Benchmark]
    public async Task<int> Store_SearchArtistWithoutAccent() =>
        (await _database.Store.Tracks.SearchPageAsync(CatalogSeed.User, CatalogSeed.ArtistQuery, 50)).Items.Count;
}
