using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MusicLocker.Benchmarks.Crypto;
using MusicLocker.Benchmarks.Media;

namespace MusicLocker.Benchmarks.Locker;

/// <summary>
/// Issue 11's upload target: a 100 MB MP3 uploaded through the facade to the embedded default (file-system store, SQLite,
/// local key ring, encrypted) — probe, content SHA-256 and audio XXH128, stream parse, encrypt, multipart store, catalogue and
/// commit — against the raw primitive: one SHA-256 pass over the same file. Target Ratio ≤ 1.5. Each iteration's track
/// is deleted after it (so the next one is stored, not a duplicate). Run:
/// <c>dotnet run -c Release --project benchmarks/MusicLocker.Benchmarks -- --filter '*LockerUploadBenchmarks*'</c>
/// (100 warm-up uploads first: see <see cref="WarmedConfig"/>)
/// (smoke: add <c>--job dry</c>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LockerUploadBenchmarks.WarmedConfig))]
public class LockerUploadBenchmarks
{
    /// <summary>
    /// <see cref="ShortInProcessConfig"/> with 100 warm-up iterations instead of 3. An iteration here is one upload (its
    /// cleanup deletes the track, so BenchmarkDotNet invokes it once per iteration), and the facade's per-upload methods
    /// run at tier 0 for their first 30 calls, then instrumented for about 30 more. With 3 warm-ups, 15 of the 18 measured
    /// uploads ran unoptimised code: 1.67–1.89 measured so, 1.20–1.32 with <c>DOTNET_TieredCompilation=0</c> on the same
    /// build, 1.39–1.46 with 50 warm-ups, 1.34–1.39 with 100. 100 warm-ups let tiered compilation finish before the first
    /// measured upload, as it has in a server that has been up a minute.
    /// </summary>
    public sealed class WarmedConfig : ManualConfig
    {
        public WarmedConfig() => AddJob(Job.ShortRun.WithIterationCount(15).WithWarmupCount(100).WithToolchain(InProcessEmitToolchain.Instance));
    }

    private const int FileBytes = 100 * 1024 * 1024;

    private string _folder = null!;
    private string _file = null!;
    private ILocker _locker = null!;
    private Guid _uploaded;

    // Synchronous: the setup must have finished before the first (jitting) invocation of Upload in process.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "musiclocker-upload-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _file = Path.Combine(_folder, "large.mp3");
        await File.WriteAllBytesAsync(_file, LargeMp3(FileBytes));
        _locker = await global::MusicLocker.Locker.OpenEmbeddedAsync(Path.Combine(_folder, "locker"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _locker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "SHA-256 of the file (one pass)")]
    public async Task<byte[]> Sha256Pass()
    {
        var file = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file)
        {
            return await SHA256.HashDataAsync(file);
        }
    }

    [Benchmark(Description = "Upload through the facade (probe, hashes, encrypt, store, catalogue)")]
    public async Task<UploadResult> Upload()
    {
        var result = await _locker.ForUser("bench").Uploads.UploadFileAsync(_file);
        _uploaded = result.Outcome == UploadOutcome.Stored ? result.Track.Id : throw new InvalidOperationException($"The upload was {result.Outcome}, not stored.");
        return result;
    }

    // For both benchmarks (a no-op after the baseline): one cleanup for all keeps them in one job (InvocationCount 1),
    // so BenchmarkDotNet computes the Ratio against the baseline.
    [IterationCleanup]
    public void DeleteUploaded()
    {
        if (_uploaded != Guid.Empty)
        {
            _locker.ForUser("bench").Tracks.DeleteAsync(_uploaded).GetAwaiter().GetResult();
            _uploaded = Guid.Empty;
        }
    }

    /// <summary>
    /// A CBR MP3 of about <paramref name="bytes"/> bytes whose LAME Info header counts it truly (a probe then reads its
    /// head and tail only, as for a real LAME file): the Info frame of cbr-info-lame.mp3 and its audio frames repeated.
    /// </summary>
    internal static byte[] LargeMp3(int bytes)
    {
        const int InfoFrame = 192;
        var source = File.ReadAllBytes(Path.Combine(MediaBenchmarkData.FixturesRoot, "mp3", "cbr-info-lame.mp3"));
        int audio = source.Length - InfoFrame;
        int copies = Math.Max(1, (bytes - InfoFrame) / audio);
        var result = new byte[InfoFrame + (copies * audio)];
        source.AsSpan(0, InfoFrame).CopyTo(result);
        for (int i = 0; i < copies; i++)
        {
            source.AsSpan(InfoFrame).CopyTo(result.AsSpan(InfoFrame + (i * audio)));
        }

        // "Info" at 21, flags at 25 (frames, bytes, TOC, quality): frames at 29, bytes at 33, big-endian; 107 frames per copy.
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(29), 107 * copies);
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(33), result.Length);
        return result;
    }
}
