using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>
/// The file-system store writes a blob's body in writes that end on 1 MiB boundaries of the file, whatever the header's
/// length and the source's read sizes: Linux keeps such a file as large page-cache folios, and a file written in writes
/// that straddle those boundaries reads ~1.4× slower (Storage/FileSystemRangeReadBenchmarks, docs/benchmarks.md).
/// </summary>
public sealed class FileSystemWriteAlignmentTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(4099)]
    [InlineData(100_003)]
    [InlineData(256 * 1024)]
    [InlineData(3 * MiB)]
    public async Task Every_write_of_a_put_ends_on_a_1_MiB_boundary_of_the_file(int sourceReadSize)
    {
        using var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, FlushToDisk = false });
        var key = BlobKey.Parse("users/ann/long-track.mp3");
        string folder = Path.GetDirectoryName(FileSystemPaths.BlobPath(Path.Combine(store.RootPath, "blobs"), key))!;
        Directory.CreateDirectory(folder);
        int length = sourceReadSize < 10_000 ? (2 * MiB) + 17 : (5 * MiB) + 3;
        byte[] body = TestData.Bytes(length, seed: sourceReadSize);
        var source = new WatchingStream(body, sourceReadSize, folder);

        await store.PutAsync(key, source, new PutBlobOptions { Metadata = new Dictionary<string, string> { ["title"] = "odd-length header" } }, Ct);

        Assert.Equal(body, await store.ReadAllBytesAsync(key, cancellationToken: Ct));
        Assert.NotEmpty(source.FileLengths);
        long header = source.FileLengths.Min();
        Assert.True(header is > 0 and < 4096, $"the temp file held {header} bytes before the body: not just a header");
        // Between the header and the last (partial) write, the file only ever grows to whole MiB.
        Assert.All(source.FileLengths, seen => Assert.True(seen == header || seen % MiB == 0, $"the temp file held {seen} bytes during the write (header {header}): a write ended off a 1 MiB boundary"));
        Assert.Contains(source.FileLengths, seen => seen >= 2 * MiB);
    }

    [Fact]
    public async Task A_multipart_upload_is_joined_in_aligned_writes_and_reads_back_whole()
    {
        using var store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _folder.Path, FlushToDisk = false });
        var key = BlobKey.Parse("users/ann/joined.mp3");
        byte[] body = TestData.Bytes((5 * MiB) + 333, seed: 9);
        var upload = await store.StartMultipartUploadAsync(key, cancellationToken: Ct);
        var parts = new List<UploadedPart>();
        int[] cuts = [0, (2 * MiB) + 1, (5 * MiB) - 7, body.Length];
        for (int i = 0; i + 1 < cuts.Length; i++)
        {
            parts.Add(await store.UploadPartAsync(upload, i + 1, new MemoryStream(body[cuts[i]..cuts[i + 1]]), Ct));
        }

        await store.CompleteMultipartUploadAsync(upload, parts, Ct);
        Assert.Equal(body, await store.ReadAllBytesAsync(key, cancellationToken: Ct));
        var range = await store.ReadAllBytesAsync(key, new ReadBlobOptions { Range = new ByteRange((2 * MiB) - 5, 10) }, cancellationToken: Ct);
        Assert.Equal(body.AsSpan((2 * MiB) - 5, 10).ToArray(), range);
    }

    [Fact]
    public async Task The_writer_fills_up_to_the_next_boundary_then_whole_MiB()
    {
        string path = Path.Combine(_folder.Path, "aligned.bin");
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        await RandomAccess.WriteAsync(file, new byte[149], 0, Ct);
        using var writer = new AlignedFileWriter(file, 149);
        Assert.Equal(AlignedFileWriter.Alignment - 149, writer.Free.Length);

        writer.Free.Span.Fill(1);
        await writer.AdvanceAsync(AlignedFileWriter.Alignment - 149, Ct);
        Assert.Equal(AlignedFileWriter.Alignment, RandomAccess.GetLength(file)); // written at the boundary
        Assert.Equal(AlignedFileWriter.Alignment, writer.Free.Length);

        writer.Free.Span[..10].Fill(2);
        await writer.AdvanceAsync(10, Ct);
        Assert.Equal(AlignedFileWriter.Alignment, RandomAccess.GetLength(file)); // held until the boundary or the end
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.AdvanceAsync(AlignedFileWriter.Alignment, Ct));
        await writer.FlushAsync(Ct);
        Assert.Equal(AlignedFileWriter.Alignment + 10, RandomAccess.GetLength(file));
        Assert.Equal(AlignedFileWriter.Alignment + 10 - 149, writer.Length);
    }

    [Fact]
    public async Task Writes_started_towards_the_disk_read_back_whole_and_a_file_that_refuses_writeback_is_still_written()
    {
        string path = Path.Combine(_folder.Path, "writeback.bin");
        byte[] body = TestData.Bytes((2 * MiB) + 77, seed: 5);
        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            await WriteAllAsync(file, body);
        }

        Assert.Equal(body, await File.ReadAllBytesAsync(path, Ct));

        // sync_file_range refuses a character device (ESPIPE): the writes go on as if it were not asked.
        Assert.SkipUnless(OperatingSystem.IsLinux(), "/dev/null as a file that refuses writeback is Linux's");
        using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Write);
        Assert.Equal(body.Length, await WriteAllAsync(devNull, body));
        DiskWriteback.Start(devNull, 0, MiB);

        static async Task<long> WriteAllAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] body)
        {
            using var writer = new AlignedFileWriter(file, 0, writeBack: true);
            int done = 0;
            while (done < body.Length)
            {
                int n = Math.Min(writer.Free.Length, body.Length - done);
                body.AsSpan(done, n).CopyTo(writer.Free.Span);
                await writer.AdvanceAsync(n, Ct);
                done += n;
            }

            await writer.FlushAsync(Ct);
            return writer.Length;
        }
    }

    /// <summary>A source that hands out a fixed number of bytes per read and notes the length of the temp file beside the blob each time.</summary>
    private sealed class WatchingStream(byte[] bytes, int perRead, string folder) : ForwardOnlyReadStream
    {
        private int _position;

        public List<long> FileLengths { get; } = [];

        public override int Read(Span<byte> buffer)
        {
            foreach (string file in Directory.GetFiles(folder))
            {
                FileLengths.Add(new FileInfo(file).Length);
            }

            int n = Math.Min(Math.Min(buffer.Length, perRead), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
