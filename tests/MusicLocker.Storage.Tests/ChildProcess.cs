using System.Diagnostics;
using System.Globalization;
using MusicLocker.Storage.FileSystem;
using MusicLocker.Testing;

namespace MusicLocker.Storage.Tests;

/// <summary>Store operations run in a separate process, to test what holds across processes and after a kill.</summary>
internal static class ChildProcess
{
    private const string Ready = "ready";

    public static async Task<int> RunAsync(string[] args)
    {
        string op = args[0], root = args[1], key = args[2];
        using var store = op == "sweep-loop"
            ? new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = root, StaleAge = TimeSpan.FromTicks(1) })
            : new FileSystemBlobStore(root);
        switch (op)
        {
            case "sweep-loop":
                // Sweeps as hard as it can (everything counts as stale) until the stop file appears; exit 0 only if no sweep failed.
                string stop = args[3];
                int sweeps = 0;
                while (!File.Exists(stop))
                {
                    try
                    {
                        await store.SweepAsync();
                        sweeps++;
                    }
                    catch (Exception ex)
                    {
                        await Console.Error.WriteLineAsync(ex.ToString());
                        return 1;
                    }
                }

                Console.WriteLine(sweeps.ToString(CultureInfo.InvariantCulture));
                return 0;

            case "put-slow":
                // Writes forever, a little at a time, until killed.
                using (var source = new GeneratedStream(long.MaxValue, maxPerRead: 64 * 1024)
                {
                    Progress = n =>
                    {
                        if (n == 64 * 1024)
                        {
                            Console.WriteLine("writing");
                            Console.Out.Flush();
                        }

                        Thread.Sleep(5);
                    },
                })
                {
                    await store.PutAsync(BlobKey.Parse(key), source);
                }

                return 0;

            case "put-create-only":
                int seed = int.Parse(args[3], CultureInfo.InvariantCulture);
                await AwaitGoAsync(args[4]);

                try
                {
                    await store.PutBytesAsync(BlobKey.Parse(key), TestData.Bytes(256 * 1024, seed), new PutBlobOptions { Conditions = BlobRequestConditions.CreateOnly });
                    return 0;
                }
                catch (BlobConditionFailedException)
                {
                    return 2;
                }

            case "multipart-parts":
                // Writes parts 1..count of an upload another process started (bytes seeded by the seed and part number),
                // after the go file appears; prints each part as "number etag".
                var upload = new MultipartUpload(BlobKey.Parse(key), args[3]);
                int partSeed = int.Parse(args[4], CultureInfo.InvariantCulture);
                int count = int.Parse(args[5], CultureInfo.InvariantCulture);
                int length = int.Parse(args[6], CultureInfo.InvariantCulture);
                await AwaitGoAsync(args[7]);

                for (int n = 1; n <= count; n++)
                {
                    var part = await store.UploadPartAsync(upload, n, new MemoryStream(TestData.Bytes(length, (partSeed * 1000) + n)));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{part.PartNumber} {part.ETag.Value}"));
                }

                return 0;

            default:
                return 64;
        }
    }

    /// <summary>
    /// The children's start barrier: says "ready" on standard output (the parent waits for every child's, see
    /// <see cref="WaitUntilReadyAsync"/>), then polls for the go file the parent writes once all are ready.
    /// </summary>
    private static async Task AwaitGoAsync(string go)
    {
        Console.WriteLine(Ready);
        Console.Out.Flush();
        while (!File.Exists(go))
        {
            await Task.Delay(1);
        }
    }

    /// <summary>Waits until every child has reached its start barrier (read its "ready" line), so a go file starts them together.</summary>
    public static async Task WaitUntilReadyAsync(IEnumerable<Process> children, CancellationToken cancellationToken)
    {
        foreach (var child in children)
        {
            string? line = await child.StandardOutput.ReadLineAsync(cancellationToken);
            if (line != Ready)
            {
                throw new InvalidOperationException($"A child process said '{line}' instead of '{Ready}': {await child.StandardError.ReadToEndAsync(cancellationToken)}");
            }
        }
    }

    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        psi.ArgumentList.Add("child");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the child process");
    }
}
