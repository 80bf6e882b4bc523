using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Transfer;
using BenchmarkDotNet.Attributes;
using MusicLocker.Storage;
using MusicLocker.Storage.S3;
using MusicLocker.Storage.S3.Internal;

namespace MusicLocker.Benchmarks.Cloud;

/// <summary>
/// A 64 MiB upload in 8 MiB parts, 4 at a time, to s3rver over TLS: <see cref="S3BlobStore.PutAsync"/> (reads the stream
/// once into part buffers) against the AWS SDK's own <see cref="TransferUtility"/> with the same part size and concurrency.
/// Both go through the same HTTPS handler (s3rver with a self-signed certificate made here, pinned by thumbprint).
/// Target: Ratio ≤ 1.0.
/// </summary>
[MemoryDiagnoser]
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
                HttpClientFactory = new FixedHandlerHttpClientFactory(_handler),
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
            _client.PutBucketAsync(Bucket).GetAwaiter().GetResult();
            _transfer = new TransferUtility(_client, new TransferUtilityConfig { ConcurrentServiceRequests = Concurrency, MinSizeBeforePartUpload = PartSize });
            _store = new S3BlobStore(new S3BlobStoreOptions
            {
                BucketName = Bucket,
                ServiceUrl = url,
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
        _transfer.Dispose();
        _client.Dispose();
        _handler.Dispose();
        _server.Dispose();
        Directory.Delete(_tlsFolder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "TransferUtility 64 MiB (8 MiB × 4, TLS)")]
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

    [Benchmark(Description = "S3BlobStore.PutAsync 64 MiB (8 MiB × 4, TLS)")]
    public Task MusicLocker_PutAsync() => _store.PutAsync(BlobKey.Parse("bench/musiclocker.bin"), new MemoryStream(_bytes, writable: false));
}
