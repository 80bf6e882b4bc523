using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MusicLocker.Benchmarks.Crypto;

namespace MusicLocker.Benchmarks.Http;

/// <summary>
/// HTTP over loopback, same client, same run: our endpoint serving an ENCRYPTED track (decrypting every chunk) against
/// ASP.NET Core's <c>Results.File(…, enableRangeProcessing: true)</c> serving the plaintext file. Targets (issue 12):
/// whole-file throughput Ratio ≤ 1.33 (≥ 0.75 of Results.File's), and time to first byte of a mid-file range ≤ 1.5×.
/// Run: <c>dotnet run -c Release --project benchmarks/MusicLocker.Benchmarks -- --filter '*HttpStreamingBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HttpStreamingBenchmarks
{
    private HttpBenchServer _server = null!;
    private readonly byte[] _sink = new byte[256 * 1024];

    /// <summary>The track's size.</summary>
    [Params(16 * 1024 * 1024)]
    public int Bytes;

    // Synchronous on purpose: the in-process toolchain does not await an async [GlobalSetup].
    [GlobalSetup]
    public void Setup() => _server = HttpBenchServer.StartAsync(Bytes).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _server.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "Results.File, whole file")]
    [BenchmarkCategory("Throughput")]
    public Task<long> ResultsFileWhole() => ReadAllAsync("/file", null);

    [Benchmark(Description = "MapMusicLocker encrypted, whole file")]
    [BenchmarkCategory("Throughput")]
    public Task<long> LockerWhole() => ReadAllAsync(_server.StreamPath, null);

    [Benchmark(Baseline = true, Description = "Results.File, first byte of a mid-file range")]
    [BenchmarkCategory("TimeToFirstByte")]
    public Task<int> ResultsFileMidRangeFirstByte() => FirstByteAsync("/file");

    [Benchmark(Description = "MapMusicLocker encrypted, first byte of a mid-file range")]
    [BenchmarkCategory("TimeToFirstByte")]
    public Task<int> LockerMidRangeFirstByte() => FirstByteAsync(_server.StreamPath);

    private async Task<long> ReadAllAsync(string path, RangeHeaderValue? range)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Range = range;
        using var response = await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(_sink)) > 0)
        {
            total += n;
        }

        return total != _server.Length && range is null ? throw new InvalidOperationException($"{path}: {total} bytes") : total;
    }

    private async Task<int> FirstByteAsync(string path)
    {
        long middle = _server.Length / 2;
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Range = new RangeHeaderValue(middle, middle + (1024 * 1024) - 1);
        using var response = await _server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != System.Net.HttpStatusCode.PartialContent)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
        }

        await using var body = await response.Content.ReadAsStreamAsync();
        int n = await body.ReadAsync(_sink.AsMemory(0, 1)); // then the response is disposed: the server sees the client go away
        return n == 1 ? _sink[0] : throw new InvalidOperationException($"{path}: empty body");
    }
}
