using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MusicLocker.Crypto.Format;

namespace MusicLocker.Benchmarks.Crypto;

/// <summary>
/// Decrypting 100 MB in the format vs raw AES-256-GCM in 16 KiB calls: in memory (commitment check + chunks) and through
/// the streaming read path (which also copies each chunk out of the source stream, 1 MiB reads).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class ChunkedDecryptBenchmarks
{
    private byte[] _rawCiphertext = [];
    private byte[] _ciphertext = [];
    private byte[] _output = [];
    private AesGcm? _raw;

    [GlobalSetup]
    public void Setup()
    {
        var plain = CryptoBenchmarkData.Plaintext();
        _raw = new AesGcm(CryptoBenchmarkData.DataKey, 16);
        _rawCiphertext = new byte[CryptoBenchmarkData.RawCiphertextLength(plain.Length)];
        CryptoBenchmarkData.RawEncrypt(_raw, plain, _rawCiphertext);
        var cipher = ChunkCipher.Create(CryptoBenchmarkData.DataKey, CryptoBenchmarkData.Salt, CryptoBenchmarkData.Context);
        using var stream = new EncryptingReadStream(new MemoryStream(plain), cipher, CryptoBenchmarkData.Header(), 0, EncryptMode.WholeMessage);
        var output = new MemoryStream();
        stream.CopyTo(output, 1 << 20);
        _ciphertext = output.ToArray();
        _output = new byte[plain.Length];
    }

    [GlobalCleanup]
    public void Cleanup() => _raw?.Dispose();

    [Benchmark(Baseline = true, Description = "raw AesGcm, 16 KiB calls")]
    public int RawAesGcm() => CryptoBenchmarkData.RawDecrypt(_raw!, _rawCiphertext, _output);

    [Benchmark(Description = "format, in memory (commitment + chunks)")]
    public int FormatInMemory() => ChunkedMessage.Decrypt(_ciphertext, CryptoBenchmarkData.DataKey, CryptoBenchmarkData.Context, _output);

    [Benchmark(Description = "format, streaming (DecryptingReadStream)")]
    public async Task<long> FormatStreaming()
    {
        await using var stream = await ChunkedMessage.OpenStreamAsync(new MemoryStream(_ciphertext, writable: false), CryptoBenchmarkData.DataKey, CryptoBenchmarkData.Context, default);
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(_output.AsMemory((int)total, (int)Math.Min(1 << 20, _output.Length - total)))) > 0)
        {
            total += n;
        }

        return total;
    }
}
