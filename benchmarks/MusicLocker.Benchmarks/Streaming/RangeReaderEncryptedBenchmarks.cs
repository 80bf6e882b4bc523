using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using MusicLocker.Benchmarks.Crypto;
using MusicLocker.Crypto;
using MusicLocker.Crypto.Format;
using MusicLocker.Storage;
using MusicLocker.Streaming;

namespace MusicLocker.Benchmarks.Streaming;

/// <summary>
/// A random 1 MiB range of a 100 MB encrypted track written into a pipe by <see cref="BlobRangeReader"/> over
/// <see cref="EncryptedBlobStore"/> on the in-memory store (properties, unwrap, derive, one ranged read of the 65
/// covering chunks, decrypt, pipe) against raw <see cref="AesGcm"/> decrypting a random 1 MiB (64 chunks) of a 100 MB raw
/// ciphertext in memory: both touch bytes that are not in the CPU cache, as a real seek does. The raw row does no I/O,
/// no copy out of a store and no pipe, so the ratio is everything the stack adds on top of the cipher. Target: Ratio ≤ 1.2.
/// </summary>
/// <remarks>
/// Six more rows break the gap down (each its own cost, not a target): the open alone (properties, key unwrap, HKDF and
/// one chunk), the copy of the range's ciphertext out of the store's memory (cold: 1 MiB of a 100 MB array, which the
/// store's read no longer does: it lends its memory), the pipe alone (1 MiB written in 64 KiB pieces and drained by
/// another task, the hand-offs included), the store's decrypting stream without the pipe, the baseline's own decrypt
/// written into the same pipe in 32 KiB pieces (the floor for anything that delivers into a pipe drained on another
/// thread), and the reader into a pipe whose reader runs inline on the writer's thread (no hand-off between threads).
/// </remarks>
[MemoryDiagnoser]
public class RangeReaderEncryptedBenchmarks
{
    private const int RangeLength = 1 << 20;
    private static readonly BlobKey Key = BlobKey.Parse("tracks/big.mp3");
    private readonly Random _random = new(42);
    private readonly Random _rawRandom = new(42);
    private const int PipePiece = 64 * 1024;
    private readonly byte[] _output = new byte[RangeLength];

    // The decrypting stream's source reads: a batch of stored chunks at a time, the 65 chunks that cover a 1 MiB range.
    private readonly byte[] _batch = new byte[DecryptingReadStream.BatchChunks * CiphertextLayout.EncryptedChunkSize];
    private readonly int _rawRangeLength = ((RangeLength / CiphertextLayout.ChunkSize) + 1) * CiphertextLayout.EncryptedChunkSize;
    private EncryptedBlobStore? _store;
    private LocalKeyRing? _ring;
    private BlobRangeReader? _reader;
    private string _folder = "";
    private AesGcm? _raw;
    private byte[] _rawWhole = [];
    private byte[] _rawWholeHash = [];

    // Synchronous entry (see AlbumList2Benchmarks): the async part completes before any workload runs.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var plain = CryptoBenchmarkData.Plaintext();
        (_store, _ring, _folder) = await CryptoBenchmarkData.CreateStoreAsync();
        await _store.PutBytesAsync(Key, plain);
        _reader = new BlobRangeReader(_store);
        _raw = new AesGcm(CryptoBenchmarkData.DataKey, 16);
        _rawWhole = new byte[CryptoBenchmarkData.RawCiphertextLength(plain.Length)];
        CryptoBenchmarkData.RawEncrypt(_raw, plain, _rawWhole);
        _rawWholeHash = SHA256.HashData(_rawWhole);
        if (await Ours() != RangeLength || RawAesGcm() != RangeLength || await RawIntoPipe() != RangeLength || await OursInlineReader() != RangeLength)
        {
            throw new InvalidOperationException("A method did not deliver the whole range.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _ring?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw AesGcm: decrypt a random 1 MiB of 100 MB")]
    public int RawAesGcm()
    {
        try
        {
            return CryptoBenchmarkData.RawDecryptRandomRange(_raw!, _rawWhole, _output, _rawRandom);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            // Seen once in a combined in-process session and never reproduced since: say which of the two it was.
            bool intact = SHA256.HashData(_rawWhole).AsSpan().SequenceEqual(_rawWholeHash);
            throw new InvalidOperationException(intact
                ? "The raw ciphertext is unchanged since set-up, yet AES-GCM refused it: the AesGcm instance's state, not the data."
                : "The raw ciphertext changed since set-up: something wrote into this benchmark's 100 MB array.", ex);
        }
    }

    [Benchmark(Description = "part: open + first byte (key work, one chunk)")]
    public async Task<int> OpenOnly()
    {
        long offset = _random.NextInt64(CryptoBenchmarkData.Size - RangeLength);
        var download = await _store!.OpenReadAsync(Key, new ReadBlobOptions { Range = new ByteRange(offset, 1) });
        await using (download)
        {
            return await download.Content.ReadAsync(_output.AsMemory(0, 1));
        }
    }

    [Benchmark(Description = "part: copy 1 MiB of ciphertext out of a 100 MB array (cold)")]
    public int ColdCopy()
    {
        int offset = _random.Next(_rawWhole.Length - _rawRangeLength);
        for (int done = 0; done < _rawRangeLength; done += _batch.Length)
        {
            int n = Math.Min(_batch.Length, _rawRangeLength - done);
            _rawWhole.AsSpan(offset + done, n).CopyTo(_batch);
        }

        return _rawRangeLength;
    }

    [Benchmark(Description = "part: 1 MiB through the pipe (64 KiB pieces)")]
    public async Task<long> PipeOnly()
    {
        var (pipe, drained) = PipeDrain.Start();
        for (int done = 0; done < RangeLength; done += PipePiece)
        {
            _output.AsSpan(done, PipePiece).CopyTo(pipe.Writer.GetSpan(PipePiece));
            pipe.Writer.Advance(PipePiece);
            await pipe.Writer.FlushAsync();
        }

        await pipe.Writer.CompleteAsync();
        return await drained;
    }

    [Benchmark(Description = "part: EncryptedBlobStore stream, random 1 MiB -> array (no pipe)")]
    public async Task<long> StreamOnly()
    {
        long offset = _random.NextInt64(CryptoBenchmarkData.Size - RangeLength);
        var download = await _store!.OpenReadAsync(Key, new ReadBlobOptions { Range = new ByteRange(offset, RangeLength) });
        await using (download)
        {
            int total = 0;
            int n;
            while ((n = await download.Content.ReadAsync(_output.AsMemory(total))) > 0)
            {
                total += n;
            }

            return total;
        }
    }

    [Benchmark(Description = "part: raw AesGcm -> pipe (32 KiB pieces, same consumer)")]
    public async Task<long> RawIntoPipe()
    {
        const int Piece = 2 * CryptoBenchmarkData.Chunk;
        int chunks = RangeLength / CryptoBenchmarkData.Chunk;
        int first = CryptoBenchmarkData.RandomFirstChunk(_rawRandom, chunks);
        var (pipe, drained) = PipeDrain.Start();
        for (int i = 0; i < chunks; i += 2)
        {
            var memory = pipe.Writer.GetMemory(Piece);
            int n = CryptoBenchmarkData.RawDecrypt(_raw!, _rawWhole.AsSpan((first + i) * CryptoBenchmarkData.EncryptedChunk, 2 * CryptoBenchmarkData.EncryptedChunk), memory.Span, first + i);
            pipe.Writer.Advance(n);
            await pipe.Writer.FlushAsync();
        }

        await pipe.Writer.CompleteAsync();
        return await drained;
    }

    [Benchmark(Description = "part: BlobRangeReader -> pipe read inline (no thread hand-off)")]
    public Task<long> OursInlineReader() => RandomRangeIntoPipeAsync(inlineReader: true);

    [Benchmark(Description = "BlobRangeReader over EncryptedBlobStore (in-memory): random 1 MiB -> pipe")]
    public Task<long> Ours() => RandomRangeIntoPipeAsync(inlineReader: false);

    private async Task<long> RandomRangeIntoPipeAsync(bool inlineReader)
    {
        long offset = _random.NextInt64(CryptoBenchmarkData.Size - RangeLength);
        var (pipe, drained) = PipeDrain.Start(inlineReader);
        await _reader!.WriteRangeAsync(Key, offset, RangeLength, pipe.Writer);
        await pipe.Writer.CompleteAsync();
        return await drained;
    }
}
