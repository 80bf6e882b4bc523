using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MusicLocker.Crypto;
using MusicLocker.Crypto.Format;
using MusicLocker.Crypto.Keys;
using MusicLocker.Storage;

namespace MusicLocker.Benchmarks.Crypto;

/// <summary>
/// A random 1 MiB range of a 100 MB object vs decrypting 1 MiB raw: through <see cref="EncryptedBlobStore"/> over the
/// in-memory store (properties, unwrap, derive, one ranged read that copies the 65 covering chunks out of the store,
/// decrypt), and the format's own cost on the same stored bytes in memory (unwrap, derive, decrypt 65 chunks, no copy).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class EncryptedRangeReadBenchmarks
{
    private const int RangeLength = 1 << 20;
    private static readonly BlobKey Key = BlobKey.Parse("tracks/big.mp3");
    private static readonly KeyOwner Owner = new("bench", "ann");
    private readonly Random _random = new(42);
    private readonly byte[] _output = new byte[RangeLength];
    private readonly byte[] _chunk = new byte[CiphertextLayout.ChunkSize];
    private readonly byte[] _userKey = RandomNumberGenerator.GetBytes(32);
    private EncryptedBlobStore? _store;
    private LocalKeyRing? _ring;
    private string _folder = "";
    private AesGcm? _raw;
    private byte[] _rawCiphertext = [];
    private byte[] _stored = [];
    private byte[] _wrapped = [];
    private byte[] _context = [];

    [GlobalSetup]
    public async Task Setup()
    {
        var plain = CryptoBenchmarkData.Plaintext();
        (_store, _ring, _folder) = await CryptoBenchmarkData.CreateStoreAsync();
        await _store.PutBytesAsync(Key, plain);
        _raw = new AesGcm(CryptoBenchmarkData.DataKey, 16);
        _rawCiphertext = new byte[CryptoBenchmarkData.RawCiphertextLength(RangeLength)];
        CryptoBenchmarkData.RawEncrypt(_raw, plain.AsSpan(0, RangeLength), _rawCiphertext);

        // The same object in the format, held in memory with its wrapped data key, for the format-only measurement.
        var header = new byte[CiphertextLayout.HeaderSize];
        FormatPrefix.Write(header);
        CryptoBenchmarkData.Salt.CopyTo(header, CiphertextLayout.PrefixSize);
        _context = FormatPrefix.ObjectContext(header, Owner, Key.Value);
        using var cipher = ChunkCipher.Create(CryptoBenchmarkData.DataKey, CryptoBenchmarkData.Salt, _context);
        cipher.Commitment.CopyTo(header.AsSpan(CiphertextLayout.PrefixSize + CiphertextLayout.SaltSize));
        _stored = new byte[CiphertextLayout.CiphertextLength(plain.Length)];
        header.AsSpan(0, CiphertextLayout.PrefixSize).CopyTo(_stored);
        ChunkedMessage.Encrypt(cipher, header.AsSpan(CiphertextLayout.PrefixSize), plain, _stored.AsSpan(CiphertextLayout.PrefixSize));
        _wrapped = DataKeyWrap.Wrap(_userKey, _context, CryptoBenchmarkData.DataKey);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _ring?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw AesGcm: decrypt 1 MiB")]
    public int RawAesGcm() => CryptoBenchmarkData.RawDecrypt(_raw!, _rawCiphertext, _output);

    [Benchmark(Description = "format, in memory: open + random 1 MiB range")]
    public int FormatInMemory()
    {
        long offset = _random.NextInt64(CryptoBenchmarkData.Size - RangeLength);
        DataKeyWrap.TryUnwrap(_userKey, _context, _wrapped, out var dataKey);
        using var cipher = ChunkCipher.Create(dataKey, _stored.AsSpan(CiphertextLayout.PrefixSize, CiphertextLayout.SaltSize), _context);
        if (!cipher.CommitmentMatches(_stored.AsSpan(CiphertextLayout.PrefixSize + CiphertextLayout.SaltSize, CiphertextLayout.CommitmentSize)))
        {
            throw new InvalidOperationException("commitment");
        }

        var window = DecryptWindow.ForRange(CryptoBenchmarkData.Size, offset, RangeLength);
        int written = 0;
        for (long k = window.FirstChunk; k <= window.LastChunk; k++)
        {
            var encrypted = _stored.AsSpan((int)CiphertextLayout.ChunkOffset(k), CiphertextLayout.EncryptedChunkSize);
            int skip = k == window.FirstChunk ? (int)window.Skip : 0;
            int take = Math.Min(CiphertextLayout.ChunkSize - skip, RangeLength - written);
            if (skip == 0 && take == CiphertextLayout.ChunkSize)
            {
                cipher.TryDecrypt(k, encrypted, _output.AsSpan(written));
            }
            else
            {
                cipher.TryDecrypt(k, encrypted, _chunk);
                _chunk.AsSpan(skip, take).CopyTo(_output.AsSpan(written));
            }

            written += take;
        }

        return written;
    }

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
