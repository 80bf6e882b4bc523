using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MusicLocker.Crypto;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;

namespace MusicLocker.Benchmarks.Crypto;

/// <summary>
/// A random 1 MiB range of a 100 MB object through <see cref="EncryptedBlobStore"/> over the in-memory store
/// (properties, unwrap, derive, one ranged read that copies the 65 covering chunks out of the store, decrypt) vs
/// decrypting a random 1 MiB (64 chunks) of a 100 MB raw AES-GCM ciphertext in memory: both read bytes that are not in
/// the CPU cache, as a real range read does. The cache-hot raw decrypt of one fixed 1 MiB is reported beside them.
/// </summary>
/// <remarks>
/// A 2026-12 rerun measured 1.31 here (docs: 0.97). The store's range read went through the decrypting stream one 16 KiB
/// chunk per source read and per <c>ReadAsync</c> (65 of each for 1 MiB); it now reads 7 chunks per source read and fills
/// the caller's buffer with every decrypted chunk. What remains over the baseline is the open (properties, unwrap,
/// derive: ~12–20 µs), the 65th chunk, and the copy of the ciphertext out of the store's stream, which raw AES-GCM over an
/// array never pays.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class EncryptedRangeReadBenchmarks
{
    private const int RangeLength = 1 << 20;
    private static readonly BlobKey Key = BlobKey.Parse("tracks/big.mp3");
    private readonly Random _random = new(42);
    private readonly byte[] _output = new byte[RangeLength];
    private EncryptedBlobStore? _store;
    private LocalKeyRing? _ring;
    private string _folder = "";
    private readonly Random _rawRandom = new(42);
    private AesGcm? _raw;
    private byte[] _rawCiphertext = [];
    private byte[] _rawWhole = [];

    [GlobalSetup]
    public async Task Setup()
    {
        var plain = CryptoBenchmarkData.Plaintext();
        (_store, _ring, _folder) = await CryptoBenchmarkData.CreateStoreAsync();
        await _store.PutBytesAsync(Key, plain);
        _raw = new AesGcm(CryptoBenchmarkData.DataKey, 16);
        _rawCiphertext = new byte[CryptoBenchmarkData.RawCiphertextLength(RangeLength)];
        CryptoBenchmarkData.RawEncrypt(_raw, plain.AsSpan(0, RangeLength), _rawCiphertext);
        _rawWhole = new byte[CryptoBenchmarkData.RawCiphertextLength(plain.Length)];
        CryptoBenchmarkData.RawEncrypt(_raw, plain, _rawWhole);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _ring?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw AesGcm: decrypt a random 1 MiB of 100 MB")]
    public int RawAesGcmRandom() => CryptoBenchmarkData.RawDecryptRandomRange(_raw!, _rawWhole, _output, _rawRandom);

    [Benchmark(Description = "raw AesGcm: decrypt the same 1 MiB again (cache-hot)")]
    public int RawAesGcmHot() => CryptoBenchmarkData.RawDecrypt(_raw!, _rawCiphertext, _output);

    [Benchmark(Description = "EncryptedBlobStore over in-memory store: random 1 MiB range")]
    public async Task<int> ThroughStore()
    {
        long offset = _random.NextInt64(CryptoBenchmarkData.Size - RangeLength);
        await using var download = await _store!.OpenReadAsync(Key, new ReadBlobOptions { Range = new ByteRange(offset, RangeLength) });
        int total = 0;
        int n;
        while ((n = await download.Content.ReadAsync(_output.AsMemory(total))) > 0)
        {
            total += n;
        }

        return total;
    }
}
