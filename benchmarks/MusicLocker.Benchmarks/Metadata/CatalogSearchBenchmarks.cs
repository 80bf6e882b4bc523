using BenchmarkDotNet.Attributes;
using MusicLocker.Library;

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
        _rawQuery = dialect.BuildSearchQuery(CatalogText.Words(CatalogSeed.CommonWord));
        _rawSql = $"SELECT t.id, t.user_id, t.title, t.artist, t.album, t.album_artist, t.genre, t.year, t.track_no, t.track_count, t.disc_no, t.disc_count, " +
            $"t.duration_ms, t.codec, t.bitrate_kbps, t.size_bytes, t.charged_bytes, t.content_hash, t.audio_hash, t.is_purchased, t.added_at, t.storage_key, t.title_key " +
            $"FROM {dialect.SearchSource} WHERE {dialect.SearchPredicate} AND t.user_id = @u ORDER BY t.title_key, t.id LIMIT 51";
        var first = await _database.Store.Tracks.SearchAsync(CatalogSeed.User, CatalogSeed.CommonWord, 50);
        _secondPageCursor = first.NextCursor ?? throw new InvalidOperationException("the common word should match more than one page");
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _database.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public async Task<int> RawAdoNet_SearchCommonWord()
    {
        await using var connection = await _database.OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = _rawSql;
        var q = command.CreateParameter();
        q.ParameterName = "q";
        q.Value = _rawQuery;
        command.Parameters.Add(q);
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
    public async Task<int> Store_SearchCommonWord_FirstPage() =>
        (await _database.Store.Tracks.SearchAsync(CatalogSeed.User, CatalogSeed.CommonWord, 50)).Items.Count;

    [Benchmark]
    public async Task<int> Store_SearchCommonWord_SecondPage() =>
        (await _database.Store.Tracks.SearchAsync(CatalogSeed.User, CatalogSeed.CommonWord, 50, _secondPageCursor)).Items.Count;

    [Benchmark]
    public async Task<int> Store_SearchArtistWithoutAccent() =>
        (await _database.Store.Tracks.SearchAsync(CatalogSeed.User, CatalogSeed.ArtistQuery, 50)).Items.Count;
}
