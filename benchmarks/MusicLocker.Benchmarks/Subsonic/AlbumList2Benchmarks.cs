using BenchmarkDotNet.Attributes;
using MusicLocker.Benchmarks.Crypto;
using MusicLocker.Benchmarks.Metadata;

namespace MusicLocker.Benchmarks.Subsonic;

/// <summary>
/// getAlbumList2 (alphabeticalByArtist, 50 albums) over 100,000 tracks (10,000 albums) on SQLite, first and last page,
/// server side (see <see cref="SubsonicHarness"/>). Baseline: a raw GROUP BY of the user's tracks into albums for the
/// first page (what every page cost before the album index). The last page is asked for again and again at the same
/// offset, so it measures the cold-offset path (a seek through the order's index), not a remembered cursor.
/// Target (issue 13): p50 ≤ 10 ms.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class AlbumList2Benchmarks
{
    private const string RawAlbums =
        "SELECT MIN(t.album_artist), MIN(t.album), COUNT(*), SUM(t.duration_ms), MAX(t.year), MIN(t.seq) FROM tracks t WHERE t.user_id = @u " +
        "GROUP BY t.album_artist_key, t.album_key ORDER BY t.album_artist_key, t.album_key LIMIT 50";

    private SubsonicHarness _harness = null!;

    // Synchronous on purpose: BenchmarkDotNet 0.14's in-process toolchain may start a workload before an async
    // GlobalSetup's task completes (seen as a NullReferenceException on _harness).
    [GlobalSetup]
    public void Setup() => _harness = SubsonicHarness.StartAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public Task CleanupAsync() => _harness.DisposeAsync().AsTask();

    [Benchmark(Baseline = true)]
    public Task<int> RawSql_AlbumsFirstPage() => _harness.Database.RawReadAllAsync(RawAlbums, ("u", CatalogSeed.User));

    [Benchmark]
    public Task<long> Subsonic_AlbumList2_FirstPage() => _harness.CallAsync("getAlbumList2", "type=alphabeticalByArtist&size=50&offset=0");

    [Benchmark]
    public Task<long> Subsonic_AlbumList2_LastPage() => _harness.CallAsync("getAlbumList2", "type=alphabeticalByArtist&size=50&offset=9950");
}
