using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MusicLocker.Crypto.Format;

namespace MusicLocker.Benchmarks.Crypto;

/// <summary>
/// Encrypting 100 MB in the format vs raw AES-256-GCM in 16 KiB calls: in memory (the format's own cost) and through
/// the streaming put path (which also copies each chunk out of the source stream, 1 MiB reads).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class ChunkedEncryptBenchmarks
{
    private byte[] _plain = [];
    private byte[] _output = [];
    private byte[] _header = [];
    private AesGcm? _raw;

    [GlobalSetup]
    public void Setup()
    {
        _plain = CryptoBenchmarkData.Plaintext();
        _output = new byte[CiphertextLayout.C2spCiphertextLength(_plain.Length)];
        _header = CryptoBenchmarkData.Header();
        _raw = new AesGcm(CryptoBenchmarkData.DataKey, 16);
    }

    [GlobalCleanup]
    public void Cleanup() => _raw?.Dispose();

    [Benchmark(Baseline = true, Description = "raw AesGcm, 16 KiB calls")]
    public void RawAesGcm() => CryptoBenchmarkData.RawEncrypt(_raw!, _plain, _output);

    [Benchmark(Description = "format, in memory (derive + chunks)")]
    public void FormatInMemory()
    {
        using var cipher = ChunkCipher.Create(CryptoBenchmarkData.DataKey, CryptoBenchmarkData.Salt, CryptoBenchmarkData.Context);
        ChunkedMessage.Encrypt(cipher, _header, _plain, _output);
    }

    [Benchmark(Description = "format, streaming (EncryptingReadStream)")]
    public async Task<long> FormatStreaming()
    {
        var cipher = ChunkCipher.Create(CryptoBenchmarkData.DataKey, CryptoBenchmarkData.Salt, CryptoBenchmarkData.Context);
        await using var stream = new EncryptingReadStream(new MemoryStream(_plain, writable: false), cipher, _header, 0, EncryptMode.WholeMessage);
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(_output.AsMemory((int)total, (int)Math.Min(1 << 20, _output.Length - total)))) > 0)
        {
            total += n;
        }

        return total;
    }
}
