using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Transfer;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MusicLocker.Storage;
using MusicLocker.Storage.S3;

namespace MusicLocker.Benchmarks.Cloud;

/// <summary>
/// A 64 MiB upload in 8 MiB parts, 4 at a time, to s3rver over TLS: <see cref="S3BlobStore.PutAsync"/> (reads the stream
/// once into part buffers) against the AWS SDK's own <see cref="TransferUtility"/> with the same part size and concurrency
/// (target: Ratio ≤ 1.0); and the time to the first byte of a 1 MiB ranged read, <see cref="S3BlobStore.OpenReadAsync"/>
/// against a plain <see cref="HttpClient"/> GET of the store's presigned read URL. Everything goes through the same HTTPS
/// handler (s3rver with a self-signed certificate made here, pinned by thumbprint).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class S3UploadBenchmarks
{
    private const int Size = 64 * 1024 * 1024;
    private const int PartSize = 8 * 1024 * 1024;
    private const int Concurrency = 4;
    private const string Bucket = "bench";

    private CloudEmulator _server = null!;
    private SocketsHttpHandler _handler = null!;
    private S3BlobStore _store = null!;
    private AmazonS3Client _client = null!;
    private TransferUtility _transfer = null!;
    private byte[] _bytes = [];
    private string _tlsFolder = string.Empty;
    private HttpClient _http = null!;
    private Uri _readUrl = null!;
    private readonly ByteRange _range = new(16L * 1024 * 1024, 1024 * 1024);

    [GlobalSetup]
    public void Setup()
    {
        _tlsFolder = Directory.CreateTempSubdirectory("musiclocker-bench-tls-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_tlsFolder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_tlsFolder, "cert.pem"), certificate.ExportCertificatePem());
        string thumbprint = certificate.Thumbprint;

        _server = CloudEmulator.Start("s3rver", (port, data) =>
        [
            "--directory", data, "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--no-vhost-buckets",
            "--key", Path.Combine(_tlsFolder, "key.pem"), "--cert", Path.Combine(_tlsFolder, "cert.pem"),
        ], new Dictionary<string, string> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" });

        // BenchmarkDotNet skips GlobalCleanup when GlobalSetup throws: the emulator must not outlive a failed setup.
        try
        {
            _handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && string.Equals(cert.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
                },
            };
            var url = new Uri($"https://127.0.0.1:{_server.Port}");
            _client = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
            {
                ServiceURL = url.ToString(),
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                HttpClientFactory = new HandlerClientFactory(_handler),
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
            _client.PutBucketAsync(Bucket).GetAwaiter().GetResult();
            _transfer = new TransferUtility(_client, new TransferUtilityConfig { ConcurrentServiceRequests = Concurrency, MinSizeBeforePartUpload = PartSize });
            _store = new S3BlobStore(new S3BlobStoreOptions
            {
                BucketName = Bucket,
                ServiceUri = url,
                ForcePathStyle = true,
                AccessKeyId = "S3RVER",
                SecretAccessKey = "S3RVER",
                PartSize = PartSize,
                MaxConcurrency = Concurrency,
                HttpHandler = _handler,
            });
            _bytes = new byte[Size];
            new Random(7).NextBytes(_bytes);

            // Both paths must store the same bytes, or the comparison means nothing.
            Baseline_TransferUtility().GetAwaiter().GetResult();
            MusicLocker_PutAsync().GetAwaiter().GetResult();
            var a = _store.GetPropertiesAsync(BlobKey.Parse("bench/transfer-utility.bin")).GetAwaiter().GetResult();
            var b = _store.GetPropertiesAsync(BlobKey.Parse("bench/musiclocker.bin")).GetAwaiter().GetResult();
            if (a.Length != Size || b.Length != Size)
            {
                throw new InvalidOperationException($"Uploads stored {a.Length} and {b.Length} bytes, not {Size}.");
            }

            _http = new HttpClient(_handler, disposeHandler: false);
            _readUrl = _store.GetReadUrlAsync(BlobKey.Parse("bench/musiclocker.bin"), TimeSpan.FromHours(6)).GetAwaiter().GetResult();
            int expected = _bytes[16 * 1024 * 1024];
            if (HttpClient_FirstByte().GetAwaiter().GetResult() != expected || Store_FirstByte().GetAwaiter().GetResult() != expected)
            {
                throw new InvalidOperationException("The first byte of the range differs between the two read paths.");
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
        _transfer.Dispose();
        _client.Dispose();
        _handler.Dispose();
        _server.Dispose();
        Directory.Delete(_tlsFolder, recursive: true);
    }

    [BenchmarkCategory("Upload 64 MiB"), Benchmark(Baseline = true, Description = "TransferUtility 64 MiB (8 MiB × 4, TLS)")]
    public Task Baseline_TransferUtility() => _transfer.UploadAsync(new TransferUtilityUploadRequest
    {
        BucketName = Bucket,
        Key = "bench/transfer-utility.bin",
        InputStream = new MemoryStream(_bytes, writable: false),
        PartSize = PartSize,

        // Without it the SDK sends aws-chunked bodies, which s3rver stores raw (67,183,704 bytes for 64 MiB, measured);
        // unsigned payloads are allowed over TLS only, which is why this comparison runs over HTTPS.
        DisablePayloadSigning = true,
    });

    [BenchmarkCategory("Upload 64 MiB"), Benchmark(Description = "S3BlobStore.PutAsync 64 MiB (8 MiB × 4, TLS)")]
    public Task MusicLocker_PutAsync() => _store.PutAsync(BlobKey.Parse("bench/musiclocker.bin"), new MemoryStream(_bytes, writable: false));

    [BenchmarkCategory("First byte of 1 MiB range"), Benchmark(Baseline = true, Description = "HttpClient GET (presigned URL, Range)")]
    public async Task<int> HttpClient_FirstByte()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _readUrl);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(_range.Offset, _range.Offset + _range.Length - 1);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        return body.ReadByte();
    }

    [BenchmarkCategory("First byte of 1 MiB range"), Benchmark(Description = "S3BlobStore.OpenReadAsync(range)")]
    public async Task<int> Store_FirstByte()
    {
        await using var download = await _store.OpenReadAsync(BlobKey.Parse("bench/musiclocker.bin"), new ReadBlobOptions { Range = _range });
        return download.Content.ReadByte();
    }

    /// <summary>The SDK's HttpClients over the benchmark's certificate-pinning handler (both sides use the same one).</summary>
    private sealed class HandlerClientFactory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}
