using MusicLocker.Storage;
using MusicLocker.Storage.FileSystem;

namespace MusicLocker.Benchmarks.Storage;

/// <summary>
/// The same 64 MiB of random bytes twice in a temp folder: as a plain file written in one <c>File.WriteAllBytes</c> (the
/// raw baseline's file) and as a blob written by <see cref="FileSystemBlobStore"/> (in its aligned 1 MiB writes).
/// </summary>
internal sealed class FileSystemBenchmarkFiles : IDisposable
{
    public const int BlobSize = 64 * 1024 * 1024;

    /// <summary>The ranges' offset: not aligned to anything.</summary>
    public const long Offset = 8 * 1024 * 1024 + 12_345;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "musiclocker-bench", Guid.NewGuid().ToString("N"));

    public FileSystemBenchmarkFiles()
    {
        Directory.CreateDirectory(_root);
        var bytes = new byte[BlobSize];
        new Random(1).NextBytes(bytes);
        RawPath = Path.Combine(_root, "raw.bin");
        File.WriteAllBytes(RawPath, bytes);
        Store = new FileSystemBlobStore(Path.Combine(_root, "store"));
        Store.PutBytesAsync(Key, bytes).GetAwaiter().GetResult();
    }

    public string RawPath { get; }

    public FileSystemBlobStore Store { get; }

    public BlobKey Key { get; } = BlobKey.Parse("users/bench/track.mp3");

    public void Dispose()
    {
        Store.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
