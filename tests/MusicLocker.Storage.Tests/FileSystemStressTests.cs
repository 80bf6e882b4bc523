using System.Collections.Concurrent;
using System.Globalization;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>
/// Folder creation and removal under every interleaving the store allows: writers in two store instances, a sweep in this
/// process and one in another, on a machine kept busy by two spinning threads.
/// </summary>
public sealed class FileSystemStressTests : IDisposable
{
    private const int Writers = 8;
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    /// <summary>How long the stress runs: <c>STORAGE_STRESS_SECONDS</c> (e.g. 3 for a quick local run), 20 by default.</summary>
    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("STORAGE_STRESS_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s > 0 ? s : 20);

    [Fact]
    public async Task Puts_reads_and_deletes_in_folders_that_come_and_go_never_fail_while_sweeps_run_in_two_processes()
    {
        string root = _folder.Path;

        // Everything counts as stale at once: sweeps remove each empty folder, and try each temp file, the moment they can.
        FileSystemBlobStore Open() => new(new FileSystemBlobStoreOptions { RootPath = root, StaleAge = TimeSpan.FromTicks(1), FlushToDisk = false });
        using var first = Open();
        using var second = Open();
        using var sweeper = Open();
        string stopFile = Path.Combine(Path.GetDirectoryName(root)!, Path.GetFileName(root) + ".stop");
        using var child = ChildProcess.Start("sweep-loop", root, "-", stopFile);

        var failures = new ConcurrentQueue<string>();
        long operations = 0, sweeps = 0;
        using (var load = new BusyLoad(threads: 2))
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            stop.CancelAfter(Duration);
            var writers = Enumerable.Range(0, Writers).Select(t => Task.Run(() => WriteLoopAsync(t % 2 == 0 ? first : second, t, failures, () => Interlocked.Increment(ref operations), stop.Token), Ct));
            var sweeping = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await sweeper.SweepAsync(Ct);
                        Interlocked.Increment(ref sweeps);
                    }
                    catch (Exception ex)
                    {
                        failures.Enqueue("sweep: " + ex);
                    }
                }
            }, Ct);
            await Task.WhenAll(writers.Append(sweeping));
        }

        await File.WriteAllTextAsync(stopFile, "stop", Ct);
        await child.WaitForExitAsync(Ct);
        string childErrors = await child.StandardError.ReadToEndAsync(Ct);
        File.Delete(stopFile);

        Assert.True(failures.IsEmpty, $"{failures.Count} operations failed; the first: {string.Join("\n---\n", failures.Take(3))}");
        Assert.True(child.ExitCode == 0, $"The sweeping child process failed: {childErrors}");
        Assert.True(Interlocked.Read(ref operations) >= Writers, $"Only {operations} put/read/delete rounds ran.");
        Assert.True(Interlocked.Read(ref sweeps) > 0, "No sweep ran.");
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "blobs"), "*.blob", SearchOption.AllDirectories));
    }

    /// <summary>One writer: put, read back, delete, over and over, on its own keys in folders it shares with the others.</summary>
    private static async Task WriteLoopAsync(FileSystemBlobStore store, int writer, ConcurrentQueue<string> failures, Action done, CancellationToken stop)
    {
        var random = new Random(writer);
        for (int n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = BlobKey.Parse($"stress/f{random.Next(3)}/g{random.Next(2)}/w{writer}-{n % 3}");
            var bytes = TestData.Bytes(random.Next(1, 16_384), n);
            try
            {
                await store.PutBytesAsync(key, bytes, null, Ct);
                var read = await store.ReadAllBytesAsync(key, cancellationToken: Ct);
                if (!bytes.AsSpan().SequenceEqual(read))
                {
                    failures.Enqueue($"{key}: read back other bytes");
                }

                if (!await store.DeleteAsync(key, null, Ct))
                {
                    failures.Enqueue($"{key}: the delete found nothing");
                }

                done();
            }
            catch (Exception ex)
            {
                failures.Enqueue($"{key}: {ex}");
            }
        }
    }

    /// <summary>Threads that spin until disposed, so the test runs on a loaded machine whatever else runs beside it.</summary>
    private sealed class BusyLoad : IDisposable
    {
        private readonly List<Thread> _threads = [];
        private volatile bool _stop;

        public BusyLoad(int threads)
        {
            for (int i = 0; i < threads; i++)
            {
                var thread = new Thread(Spin) { IsBackground = true, Name = "busy-loop " + i.ToString(CultureInfo.InvariantCulture) };
                thread.Start();
                _threads.Add(thread);
            }
        }

        public void Dispose()
        {
            _stop = true;
            foreach (var thread in _threads)
            {
                thread.Join();
            }
        }

        private void Spin()
        {
            ulong x = 1;
            while (!_stop)
            {
                x = (x * 6364136223846793005UL) + 1442695040888963407UL;
            }

            GC.KeepAlive(x);
        }
    }
}
