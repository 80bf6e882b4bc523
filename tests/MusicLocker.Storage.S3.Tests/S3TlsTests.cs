using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MusicLocker.Testing;
using MusicLocker.Testing.Servers;

namespace MusicLocker.Storage.S3.Tests;

/// <summary>
/// The provider over HTTPS (s3rver with a certificate made here, trusted through <see cref="S3BlobStoreOptions.HttpHandler"/>),
/// where bodies go unsigned (UNSIGNED-PAYLOAD) instead of hashed: bytes must still arrive intact, whole and in parts.
/// </summary>
public sealed class S3TlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Puts_parts_and_ranged_reads_over_tls_store_exactly_the_bytes_sent()
    {
        TestEnvironment.RequireServer(NodeModules.HasNode, "node and npm are needed to run s3rver");
        string folder = Directory.CreateTempSubdirectory("musiclocker-s3-tls-").FullName;
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem(), Ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem(), Ct);
            string thumbprint = certificate.Thumbprint;

            await using var server = new S3rverServer(tlsKeyPath: Path.Combine(folder, "key.pem"), tlsCertificatePath: Path.Combine(folder, "cert.pem"));
            await server.RestartAsync(Ct);
            Assert.Equal("https", server.ServiceUrl.Scheme);
            using var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && string.Equals(cert.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
                },
            };

            string bucket = "tls";
            var options = S3TestStores.Options(server, bucket);
            options.HttpHandler = handler;
            using var store = new S3BlobStore(options);
            using (var admin = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey), new Amazon.S3.AmazonS3Config { ServiceURL = server.ServiceUrl.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1", HttpClientFactory = new HandlerClientFactory(handler) }))
            {
                await admin.PutBucketAsync(bucket, Ct);
            }

            var small = TestData.Bytes(100_000, 1);
            var put = await store.PutBytesAsync(BlobKey.Parse("tls/small"), small, cancellationToken: Ct);
            Assert.Equal(small.Length, put.Length);
            Assert.Equal(small, await store.ReadAllBytesAsync(BlobKey.Parse("tls/small"), cancellationToken: Ct));

            const long LargeSize = (2 * BlobStoreLimits.MinPartSize) + 12_345;
            using var large = new GeneratedStream(LargeSize, seed: 3);
            var multi = await store.PutAsync(BlobKey.Parse("tls/large"), large, null, Ct);
            Assert.Equal(LargeSize, multi.Length);

            // A seekable source goes up as windows onto it, no copy: the bytes must still be the same.
            var seekable = TestData.Bytes((int)LargeSize, 4);
            await store.PutAsync(BlobKey.Parse("tls/seekable"), new MemoryStream(seekable), null, Ct);
            Assert.Equal(seekable, await store.ReadAllBytesAsync(BlobKey.Parse("tls/seekable"), cancellationToken: Ct));
            await using (var download = await store.OpenReadAsync(BlobKey.Parse("tls/large"), null, Ct))
            {
                Assert.Equal(large.Sha256, await TestData.Sha256Async(download.Content, Ct));
            }

            var tail = await store.ReadAllBytesAsync(BlobKey.Parse("tls/small"), new ReadBlobOptions { Range = ByteRange.Suffix(10) }, cancellationToken: Ct);
            Assert.Equal(small[^10..], tail);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The admin client's HttpClients over the test's certificate-pinning handler.</summary>
    private sealed class HandlerClientFactory(HttpMessageHandler handler) : Amazon.Runtime.HttpClientFactory
    {
        public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool DisposeHttpClientsAfterUse(Amazon.Runtime.IClientConfig clientConfig) => false;
    }
}
