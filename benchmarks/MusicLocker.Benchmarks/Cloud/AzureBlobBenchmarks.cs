using System.Globalization;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MusicLocker.Storage;
using MusicLocker.Storage.Azure;

namespace MusicLocker.Benchmarks.Cloud;

/// <summary>
/// <see cref="AzureBlobStore"/> on Azurite against the raw Azure SDK doing the same thing in the same run (issue 14:
/// Ratio ≤ 1.05): a 64 MiB upload (8 MiB blocks, 4 at a time; the SDK's <see cref="BlockBlobClient.UploadAsync(Stream, BlobUploadOptions, CancellationToken)"/>
/// with the same transfer options) and a 1 MiB ranged read (<see cref="BlobBaseClient.DownloadStreamingAsync(BlobDownloadOptions, CancellationToken)"/>
/// with the range). Time to first byte of the 1 MiB range is measured against a plain <see cref="HttpClient"/> GET of the
/// store's own read URL (SAS). Each category has its own baseline; allocations are reported.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AzureBlobBenchmarks
{
    private const int Size = 64 * 1024 * 1024;
    private const int PartSize = 8 * 1024 * 1024;
    private const int RangeSize = 1024 * 1024;
    private const int Concurrency = 4;
    private const string Account = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    // Azurite 3.37.0 refuses the SDK's default service version; both sides speak the newest it accepts.
    private const BlobClientOptions.ServiceVersion Version = BlobClientOptions.ServiceVersion.V2025_01_05;

    private readonly BlobKey _readKey = BlobKey.Parse("bench/read.bin");
    private readonly ByteRange _range = new(16L * 1024 * 1024, RangeSize);
    private CloudEmulator _server = null!;
    private AzureBlobStore _store = null!;
    private BlobContainerClient _sdk = null!;
    private HttpClient _http = null!;
    private Uri _readUrl = null!;
    private byte[] _bytes = [];
    private byte[] _sink = [];

    [GlobalSetup]
    public void Setup()
    {
        _server = CloudEmulator.Start("azurite-blob", (port, data) =>
            ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--location", data, "--silent", "--disableTelemetry"]);

        // BenchmarkDotNet skips GlobalCleanup when GlobalSetup throws: the emulator must not outlive a failed setup.
        try
        {
            var service = new Uri($"http://127.0.0.1:{_server.Port}/{Account}");
            _store = new AzureBlobStore(new AzureBlobStoreOptions
            {
                ServiceUri = service,
                ContainerName = "bench",
                AccountName = Account,
                AccountKey = AccountKey,
                ServiceVersion = Version,
                PartSize = PartSize,
                MaxConcurrency = Concurrency,
            });
            _store.CreateContainerIfNotExistsAsync().GetAwaiter().GetResult();
            _sdk = new BlobServiceClient(service, new StorageSharedKeyCredential(Account, AccountKey), new BlobClientOptions(Version)).GetBlobContainerClient("bench");
            _http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            _bytes = new byte[Size];
            new Random(11).NextBytes(_bytes);
            _sink = new byte[256 * 1024];
            _store.PutBytesAsync(_readKey, _bytes).GetAwaiter().GetResult();
            _readUrl = _store.GetReadUrlAsync(_readKey, TimeSpan.FromHours(6)).GetAwaiter().GetResult();

            // Both sides of each comparison must move the same bytes, or the comparison means nothing.
            Sdk_UploadAsync().GetAwaiter().GetResult();
            Store_PutAsync().GetAwaiter().GetResult();
            if (_store.GetPropertiesAsync(BlobKey.Parse("bench/sdk.bin")).GetAwaiter().GetResult().Length != Size
                || _store.GetPropertiesAsync(BlobKey.Parse("bench/store.bin")).GetAwaiter().GetResult().Length != Size
                || Sdk_RangedRead().GetAwaiter().GetResult() != RangeSize || Store_RangedRead().GetAwaiter().GetResult() != RangeSize
                || HttpClient_FirstByte().GetAwaiter().GetResult() != _bytes[16 * 1024 * 1024] || Store_FirstByte().GetAwaiter().GetResult() != _bytes[16 * 1024 * 1024])
            {
                throw new InvalidOperationException("An upload or download path moved other bytes than its rival.");
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
        _http.Dispose();
        _server.Dispose();
    }

    [BenchmarkCategory("Upload 64 MiB"), Benchmark(Baseline = true, Description = "SDK BlockBlobClient.UploadAsync (8 MiB × 4)")]
    public Task Sdk_UploadAsync() => _sdk.GetBlockBlobClient("bench/sdk.bin").UploadAsync(new MemoryStream(_bytes, writable: false), new BlobUploadOptions
    {
        TransferOptions = new StorageTransferOptions { InitialTransferSize = PartSize, MaximumTransferSize = PartSize, MaximumConcurrency = Concurrency },
    });

    [BenchmarkCategory("Upload 64 MiB"), Benchmark(Description = "AzureBlobStore.PutAsync (8 MiB × 4)")]
    public Task Store_PutAsync() => _store.PutAsync(BlobKey.Parse("bench/store.bin"), new MemoryStream(_bytes, writable: false));

    [BenchmarkCategory("Ranged read 1 MiB"), Benchmark(Baseline = true, Description = "SDK DownloadStreamingAsync(range)")]
    public async Task<long> Sdk_RangedRead()
    {
        var response = await _sdk.GetBlobClient(_readKey.Value).DownloadStreamingAsync(new BlobDownloadOptions { Range = new Azure.HttpRange(_range.Offset!.Value, RangeSize) });
        using var result = response.Value;
        return await DrainAsync(result.Content, _sink);
    }

    [BenchmarkCategory("Ranged read 1 MiB"), Benchmark(Description = "AzureBlobStore.OpenReadAsync(range)")]
    public async Task<long> Store_RangedRead()
    {
        await using var download = await _store.OpenReadAsync(_readKey, new ReadBlobOptions { Range = _range });
        return await DrainAsync(download.Content, _sink);
    }

    [BenchmarkCategory("First byte of 1 MiB range"), Benchmark(Baseline = true, Description = "HttpClient GET (SAS read URL, Range)")]
    public async Task<int> HttpClient_FirstByte()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _readUrl);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(_range.Offset, _range.Offset + RangeSize - 1);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        return body.ReadByte();
    }

    [BenchmarkCategory("First byte of 1 MiB range"), Benchmark(Description = "AzureBlobStore.OpenReadAsync(range)")]
    public async Task<int> Store_FirstByte()
    {
        await using var download = await _store.OpenReadAsync(_readKey, new ReadBlobOptions { Range = _range });
        return download.Content.ReadByte();
    }

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
}
