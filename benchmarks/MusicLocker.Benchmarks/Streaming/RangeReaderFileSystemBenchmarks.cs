using BenchmarkDotNet.Attributes;
using MusicLocker.Benchmarks.Storage;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Streaming;

namespace MusicLocker.Benchmarks.Streaming;

/// <summary>
/// A range of a blob in the file-system store written into a <see cref="System.IO.Pipelines.PipeWriter"/> by
/// <see cref="BlobRangeReader"/> (open, header, range, reads of <see cref="Chunk"/> bytes, flushes) against the raw
/// primitive doing the same job: a <see cref="FileStream"/> on a plain file with the same bytes, read in pieces of the
/// same size straight into the pipe's memory (<c>GetMemory</c> → <c>ReadAsync</c> → <c>Advance</c> → <c>FlushAsync</c>). Both pipes pause at 64 KiB and are
/// drained by another task, as a socket drains a response. Target: Ratio ≤ 1.10.
/// </summary>
/// <remarks>
/// Both files are written the way their writer writes them: the plain file in one <c>File.WriteAllBytes</c>, the blob by
/// the store in aligned 1 MiB writes. Before the store aligned its writes, its files sat in the page cache as small
/// folios and read ~1.4× slower than the plain file at 16 MiB whatever the code on top (see
/// <c>Storage/FileSystemRangeReadBenchmarks</c>).
/// </remarks>
[MemoryDiagnoser]
public class RangeReaderFileSystemBenchmarks
{
    private const long Offset = FileSystemBenchmarkFiles.Offset;

    /// <summary>The reader's default chunk size (64 KiB; a file read has to wait, so the reader never halves it); the baseline reads pieces of the same size.</summary>
    private const int Chunk = BlobRangeReaderOptions.DefaultChunkSize;

    private FileSystemBenchmarkFiles _files = null!;
    private BlobRangeReader _reader = null!;

    [Params(1024 * 1024, 16 * 1024 * 1024)]
    public int RangeLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _files = new FileSystemBenchmarkFiles();
        _reader = new BlobRangeReader(_files.Store, new BlobRangeReaderOptions { ChunkSize = Chunk });
        if (Ours().GetAwaiter().GetResult() != RangeLength || FileStreamToPipe().GetAwaiter().GetResult() != RangeLength)
        {
            throw new InvalidOperationException("A method did not deliver the whole range.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _files.Dispose();

    [Benchmark(Baseline = true, Description = "FileStream -> PipeWriter (64 KiB into pipe memory)")]
    public async Task<long> FileStreamToPipe()
    {
        var (pipe, drained) = PipeDrain.Start();
        await using (var file = new FileStream(_files.RawPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
        {
            file.Position = Offset;
            long left = RangeLength;
            while (left > 0)
            {
                var memory = pipe.Writer.GetMemory(Chunk);
                int n = await file.ReadAsync(memory[..(int)Math.Min(Math.Min(memory.Length, Chunk), left)]);
                pipe.Writer.Advance(n);
                left -= n;
                await pipe.Writer.FlushAsync();
            }
        }

        await pipe.Writer.CompleteAsync();
        return await drained;
    }

    [Benchmark(Description = "BlobRangeReader over FileSystemBlobStore")]
    public async Task<long> Ours()
    {
        var (pipe, drained) = PipeDrain.Start();
        await _reader.WriteRangeAsync(_files.Key, Offset, RangeLength, pipe.Writer);
        await pipe.Writer.CompleteAsync();
        return await drained;
    }
}
