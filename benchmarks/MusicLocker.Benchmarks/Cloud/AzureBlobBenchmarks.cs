using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MusicLocker.Storage;
using MusicLocker.Storage.Azure;

namespace MusicLocker.Benchmarks.Cloud;

/// <summary>
/// 64 MiB to and from Azurite: <see cref="AzureBlobStore"/> (8 MiB blocks, 4 at a time, Shared Key signing; reads as one
/// streamed GET and as 8 MiB ranges, 4 at a time) against a plain <see cref="HttpClient"/> PUT and GET of the same bytes
/// with a SAS URL (no signing work per request). Each category has its own baseline.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AzureBlobBenchmarks
{
    private const int Size = 64 * 1024 * 1024;
    private const int BlockSize = 8 * 1024 * 1024;
    private const int Concurrency = 4;
    private const string Account = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private CloudEmulator _server = null!;
    private AzureBlobStore _store = null!;
    private AzureBlobStore _singleShotStore = null!;
    private HttpClient _http = null!;
    private byte[] _bytes = [];
    private byte[] _sink = [];
    private string _baseUri = string.Empty;
    private string _sas = string.Empty;
    private readonly BlobKey _readKey = BlobKey.Parse("bench/read.bin");

    [GlobalSetup]
    public void Setup()
    {
        _server = CloudEmulator.Start("azurite-blob", (port, data) =>
            ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--location", data, "--silent", "--disableTelemetry"]);
        // BenchmarkDotNet skips GlobalCleanup when GlobalSetup throws: the emulator must not outlive a failed setup.
        try
        {
            _baseUri = $"http://127.0.0.1:{_server.Port}/{Account}/bench";
            _store = new AzureBlobStore(Options(BlockSize));
            _store.CreateContainerIfNotExistsAsync().GetAwaiter().GetResult();

            // The same store with one block as large as the blob: one Put Blob, so the row measures the provider's own
            // overhead (signing, the copy into its buffer) against the plain PUT.
            _singleShotStore = new AzureBlobStore(Options(Size));
            _sas = AccountSas();
            _http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            _bytes = new byte[Size];
            new Random(11).NextBytes(_bytes);
            _sink = new byte[256 * 1024];
            _store.PutBytesAsync(_readKey, _bytes).GetAwaiter().GetResult();

            // Both upload paths must store the same bytes, or the comparison means nothing.
            Baseline_HttpClientPut().GetAwaiter().GetResult();
            Store_PutAsync().GetAwaiter().GetResult();
            if (_store.GetPropertiesAsync(BlobKey.Parse("bench/plain.bin")).GetAwaiter().GetResult().Length != Size
                || _store.GetPropertiesAsync(BlobKey.Parse("bench/store.bin")).GetAwaiter().GetResult().Length != Size
                || Baseline_HttpClientGet().GetAwaiter().GetResult() != Size || Store_RangedRead().GetAwaiter().GetResult() != Size)
            {
                throw new InvalidOperationException("An upload or download path moved a different number of bytes.");
            }
        }
        catch
        {
            _server.Dispose();
            throw;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _singleShotStore.Dispose();
        _http.Dispose();
        _server.Dispose();
    }

    [BenchmarkCategory("Upload"), Benchmark(Baseline = true, Description = "HttpClient PUT 64 MiB (one Put Blob)")]
    public async Task Baseline_HttpClientPut()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{_baseUri}/bench/plain.bin?{_sas}") { Content = new ByteArrayContent(_bytes) };
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        request.Headers.Add("x-ms-version", "2025-01-05");
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    [BenchmarkCategory("Upload"), Benchmark(Description = "AzureBlobStore.PutAsync 64 MiB (8 MiB blocks × 4)")]
    public Task Store_PutAsync() => _store.PutAsync(BlobKey.Parse("bench/store.bin"), new MemoryStream(_bytes, writable: false));

    [BenchmarkCategory("Upload"), Benchmark(Description = "AzureBlobStore.PutAsync 64 MiB (BlockSize 64 MiB: one Put Blob)")]
    public Task Store_PutAsync_SingleShot() => _singleShotStore.PutAsync(BlobKey.Parse("bench/store-single.bin"), new MemoryStream(_bytes, writable: false));

    [BenchmarkCategory("Download"), Benchmark(Baseline = true, Description = "HttpClient GET 64 MiB")]
    public async Task<long> Baseline_HttpClientGet()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_baseUri}/bench/read.bin?{_sas}");
        request.Headers.Add("x-ms-version", "2025-01-05");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        return await DrainAsync(body, _sink);
    }

    [BenchmarkCategory("Download"), Benchmark(Description = "AzureBlobStore.OpenReadAsync 64 MiB (one stream)")]
    public async Task<long> Store_StreamedRead()
    {
        await using var download = await _store.OpenReadAsync(_readKey);
        return await DrainAsync(download.Content, _sink);
    }

    [BenchmarkCategory("Download"), Benchmark(Description = "AzureBlobStore ranged reads 64 MiB (8 MiB ranges × 4)")]
    public async Task<long> Store_RangedRead()
    {
        long total = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Size / BlockSize), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
        {
            var buffer = new byte[64 * 1024];
            await using var download = await _store.OpenReadAsync(_readKey, new ReadBlobOptions { Range = new ByteRange((long)i * BlockSize, BlockSize) }, ct);
            Interlocked.Add(ref total, await DrainAsync(download.Content, buffer));
        });
        return total;
    }

    private AzureBlobStoreOptions Options(int blockSize) => new()
    {
        ServiceUri = new Uri($"http://127.0.0.1:{_server.Port}/{Account}"),
        ContainerName = "bench",
        AccountName = Account,
        AccountKey = AccountKey,
        BlockSize = blockSize,
        MaxConcurrency = Concurrency,
    };

    private static async Task<long> DrainAsync(Stream stream, byte[] buffer)
    {
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>A one-hour account SAS for the development account (the baseline's requests then need no signing).</summary>
    private static string AccountSas()
    {
        const string Version = "2025-01-05";
        string expiry = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string toSign = $"{Account}\nrwdlacup\nb\nsco\n\n{expiry}\n\nhttps,http\n{Version}\n\n";
        string sig = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(AccountKey), Encoding.UTF8.GetBytes(toSign)));
        return $"sv={Version}&ss=b&srt=sco&sp=rwdlacup&se={Uri.EscapeDataString(expiry)}&spr=https,http&sig={Uri.EscapeDataString(sig)}";
    }
}
