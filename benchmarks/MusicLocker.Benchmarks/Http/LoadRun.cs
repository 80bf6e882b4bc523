using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace MusicLocker.Benchmarks.Http;

/// <summary>
/// The bounded load run (issue 12): <c>--streams</c> concurrent clients (200) for <c>--seconds</c> (30) each asking random
/// ranges (<c>--range-kib</c>, 256) of an encrypted <c>--mb</c> (32) MB track from <c>MapMusicLocker</c> on loopback, checking
/// every answer (206, Content-Range, length). Reports requests, errors, p50/p99 time to first byte and the process's
/// peak working set (server and client share the process: the figure bounds the server's). Exit code 1 on any error.
/// <c>dotnet run -c Release --project benchmarks/MusicLocker.Benchmarks -- load --streams 200 --seconds 30</c>
/// </summary>
public static class LoadRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int streams = Option(args, "--streams", 200, 1, 10_000);
        int seconds = Option(args, "--seconds", 30, 1, 3600);
        int megabytes = Option(args, "--mb", 32, 1, 4096);
        int rangeKiB = Option(args, "--range-kib", 256, 1, 64 * 1024);

        await using var server = await HttpBenchServer.StartAsync(megabytes * 1024L * 1024);
        Console.WriteLine($"load: {streams} streams x {seconds} s, {rangeKiB} KiB ranges of an encrypted {server.Length:N0}-byte track at {server.Client.BaseAddress}");

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var process = Process.GetCurrentProcess();
        long peak = 0;
        var sampler = SampleWorkingSetAsync(process, v => peak = Math.Max(peak, v), stop.Token);

        var ttfb = new List<double>[streams];
        long requests = 0, errors = 0, bytes = 0;
        string? firstError = null;
        var clients = Enumerable.Range(0, streams).Select(i => Task.Run(async () =>
        {
            var random = new Random(i);
            var own = ttfb[i] = new List<double>(1024);
            byte[] buffer = new byte[64 * 1024];
            while (!stop.IsCancellationRequested)
            {
                long length = rangeKiB * 1024L;
                long from = random.NextInt64(0, Math.Max(1, server.Length - length));
                long to = Math.Min(server.Length - 1, from + length - 1);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, server.StreamPath);
                    request.Headers.Range = new RangeHeaderValue(from, to);
                    using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
                    await using var body = await response.Content.ReadAsStreamAsync(CancellationToken.None);
                    int n = await body.ReadAsync(buffer, CancellationToken.None);
                    own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    long got = n;
                    while (n > 0)
                    {
                        n = await body.ReadAsync(buffer, CancellationToken.None);
                        got += n;
                    }

                    var range = response.Content.Headers.ContentRange;
                    if (response.StatusCode != HttpStatusCode.PartialContent || range?.From != from || range.To != to || got != to - from + 1)
                    {
                        throw new InvalidOperationException($"{(int)response.StatusCode} {range} got {got} for {from}-{to}");
                    }

                    Interlocked.Add(ref bytes, got);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }

                Interlocked.Increment(ref requests);
            }
        })).ToArray();

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients);
        double elapsed = clock.Elapsed.TotalSeconds;
        await sampler;

        var all = ttfb.SelectMany(l => l).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests {requests:N0}, errors {errors:N0}, {bytes / elapsed / (1024 * 1024):F1} MiB/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time to first byte: p50 {Percentile(all, 0.50):F2} ms, p99 {Percentile(all, 0.99):F2} ms, max {(all.Length > 0 ? all[^1] : 0):F2} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set {peak / (1024.0 * 1024):F0} MiB (server and client in one process)"));
        if (firstError is not null)
        {
            Console.WriteLine("first error: " + firstError);
        }

        return errors == 0 && requests > 0 ? 0 : 1;
    }

    private static async Task SampleWorkingSetAsync(Process process, Action<long> record, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            do
            {
                process.Refresh();
                record(process.WorkingSet64);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>The whole-number option <paramref name="name"/> (its next argument), <paramref name="fallback"/> when absent.</summary>
    internal static int Option(string[] args, string name, int fallback, int min, int max)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0)
        {
            return fallback;
        }

        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new ArgumentException($"{name} takes a number from {min} to {max}.");
        }

        return value;
    }
}
