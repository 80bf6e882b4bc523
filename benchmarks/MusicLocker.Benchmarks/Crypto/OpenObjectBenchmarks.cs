using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MusicLocker.Crypto;
using MusicLocker.Crypto.Format;
using MusicLocker.Crypto.Keys;
using MusicLocker.Storage;

namespace MusicLocker.Benchmarks.Crypto;

/// <summary>
/// Opening an object: unwrap its data key (HKDF + AES-KWP) and derive its chunk key, nonce and commitment (HKDF), against
/// the raw cost of setting up an AES-GCM key; and a whole first-byte read through the store.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class OpenObjectBenchmarks
{
    private static readonly BlobKey Key = BlobKey.Parse("tracks/small.mp3");
    private readonly byte[] _userKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _header = new byte[CiphertextLayout.HeaderSize];
    private byte[] _context = [];
    private byte[] _wrapped = [];
    private EncryptedBlobStore? _store;
    private LocalKeyRing? _ring;
    private string _folder = "";
    private readonly byte[] _one = new byte[1];

    [GlobalSetup]
    public async Task Setup()
    {
        FormatPrefix.Write(_header);
        RandomNumberGenerator.Fill(_header.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize));
        _context = FormatPrefix.ObjectContext(_header, new KeyOwner("bench", "ann"), Key.Value);
        using (var cipher = ChunkCipher.Create(CryptoBenchmarkData.DataKey, _header.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize), _context))
        {
            cipher.Commitment.CopyTo(_header.AsSpan(CiphertextLayout.PrefixSize + CiphertextLayout.SaltSize));
        }

        _wrapped = DataKeyWrap.Wrap(_userKey, _context, CryptoBenchmarkData.DataKey);
        (_store, _ring, _folder) = await CryptoBenchmarkData.CreateStoreAsync();
        await _store.PutBytesAsync(Key, RandomNumberGenerator.GetBytes(3_000_000));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ring?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw: new AesGcm(key)")]
    public void RawKeySetup()
    {
        using var aes = new AesGcm(CryptoBenchmarkData.DataKey, 16);
    }

    [Benchmark(Description = "unwrap data key + derive + check commitment")]
    public bool UnwrapAndDerive()
    {
        DataKeyWrap.TryUnwrap(_userKey, _context, _wrapped, out var dataKey);
        using var cipher = ChunkCipher.Create(dataKey, _header.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize), _context);
        return cipher.CommitmentMatches(_header.AsSpan(CiphertextLayout.PrefixSize + CiphertextLayout.SaltSize));
    }

    [Benchmark(Description = "EncryptedBlobStore: open + read 1 byte")]
    public async Task<int> OpenThroughStore()
    {
        await using var download = await _store!.OpenReadAsync(Key, new ReadBlobOptions { Range = new ByteRange(1_500_000, 1) });
        return await download.Content.ReadAsync(_one);
    }
}
