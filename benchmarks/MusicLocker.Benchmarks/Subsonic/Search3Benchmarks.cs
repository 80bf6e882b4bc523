using BenchmarkDotNet.Attributes;
using MusicLocker.Benchmarks.Crypto;
using MusicLocker.Benchmarks.Metadata;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Benchmarks.Subsonic;

/// <summary>
/// search3 over 100,000 tracks on SQLite, server side (see <see cref="SubsonicHarness"/>). Baseline: the store's own
/// search SQL for the same first page, run as raw ADO.NET. Target (issue 13): p50 ≤ 10 ms.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class Search3Benchmarks
{
    private SubsonicHarness _harness = null!;
    private string _rawSql = string.Empty;
    private string _rawQuery = string.Empty;

    // Synchronous entry (see AlbumList2Benchmarks): the async part completes before any workload runs.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _harness = await SubsonicHarness.StartAsync();
        var dialect = _harness.Database.Dialect;
        _rawQuery = dialect.BuildSearchQuery(CatalogSeed.User, CatalogText.Words(CatalogSeed.CommonWord));
        _rawSql = $"SELECT {TrackRows.Columns}, {dialect.SearchOrderColumn} FROM {dialect.SearchSource} WHERE {dialect.SearchPredicate} AND t.user_id = @u " +
            $"ORDER BY {dialect.SearchOrderColumn} DESC LIMIT 51";
        await Subsonic_Search3_EmptyQuery_SecondPage(); // leaves the cursor of offset 50 behind, as a syncing player would
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _harness.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public Task<int> RawSql_SearchFirstPage() => _harness.Database.RawReadAllAsync(_rawSql, ("q", _rawQuery), ("u", CatalogSeed.User));

    [Benchmark]
    public Task<long> Subsonic_Search3_Text_FirstPage() =>
        _harness.CallAsync("search3", $"query={CatalogSeed.CommonWord}&artistCount=0&albumCount=0&songCount=50");

    [Benchmark]
    public Task<long> Subsonic_Search3_EmptyQuery_SecondPage() =>
        _harness.CallAsync("search3", "query=&artistCount=0&albumCount=0&songCount=50&songOffset=50");
}
