using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace MusicLocker.Benchmarks;

/// <summary>
/// Runs one suite's <c>[Benchmark]</c> methods interleaved: round after round, a block of <c>--block</c> calls (20) of
/// each method in turn, and reports each method's median time per call and the median, over rounds, of its ratio to the
/// baseline's block in the same round. BenchmarkDotNet runs one method's iterations after another's, so a host whose
/// speed drifts over minutes (a shared VM) moves the baseline and the measured row apart; here every ratio compares
/// blocks run a few milliseconds apart, and each round starts with another method. Suites with <c>[Params]</c> are refused. A diagnostic beside the suites, not a replacement: the targets are read from
/// BenchmarkDotNet's tables.
/// <c>dotnet run -c Release --project benchmarks/MusicLocker.Benchmarks -- interleave RangeReaderEncryptedBenchmarks --rounds 30</c>
/// </summary>
public static class InterleavedRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("usage: interleave <suite class name> [--rounds 30] [--block 20] [--warmup 5]");
            return 2;
        }

        var suites = typeof(InterleavedRun).Assembly.GetTypes().Where(t => t.Name == args[0] && Benchmarks(t).Any()).ToList();
        if (suites.Count != 1)
        {
            Console.Error.WriteLine($"interleave: no benchmark suite class named '{args[0]}'.");
            return 2;
        }

        if (suites[0].GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Any(m => m.IsDefined(typeof(ParamsAttribute))))
        {
            Console.Error.WriteLine($"interleave: {suites[0].Name} has [Params], which this mode does not set; use BenchmarkDotNet for it.");
            return 2;
        }

        int rounds = Http.LoadRun.Option(args, "--rounds", 30, 1, 100_000);
        int block = Http.LoadRun.Option(args, "--block", 20, 1, 100_000);
        int warmup = Http.LoadRun.Option(args, "--warmup", 5, 0, 100_000);
        var suite = suites[0];
        object instance = Activator.CreateInstance(suite)!;
        await InvokeAllAsync(suite, instance, typeof(GlobalSetupAttribute)).ConfigureAwait(false);
        try
        {
            // The baseline first: every row's ratio is taken against it in the same round.
            var methods = Benchmarks(suite).OrderByDescending(m => m.GetCustomAttribute<BenchmarkAttribute>()!.Baseline).ToList();
            if (!methods[0].GetCustomAttribute<BenchmarkAttribute>()!.Baseline)
            {
                Console.Error.WriteLine($"interleave: {suite.Name} has no Baseline = true method.");
                return 2;
            }

            var times = methods.Select(_ => new List<double>(rounds)).ToArray();
            for (int round = 0; round < warmup + rounds; round++)
            {
                // Each round starts with another method, so no method always runs right after the same one.
                for (int turn = 0; turn < methods.Count; turn++)
                {
                    int m = (turn + round) % methods.Count;
                    long started = Stopwatch.GetTimestamp();
                    for (int call = 0; call < block; call++)
                    {
                        await CallAsync(methods[m], instance).ConfigureAwait(false);
                    }

                    if (round >= warmup)
                    {
                        times[m].Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / block);
                    }
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{suite.Name}: {rounds} rounds of {block} calls per method (after {warmup} warm-up rounds), {Environment.ProcessorCount} cores, load average {LoadAverage()}"));
            Console.WriteLine("| method | median µs/call | ratio to baseline: median over rounds (25th–75th percentile) |");
            Console.WriteLine("|---|---:|---:|");
            for (int m = 0; m < methods.Count; m++)
            {
                var ratios = times[m].Select((t, round) => t / times[0][round]).ToList();
                string description = methods[m].GetCustomAttribute<BenchmarkAttribute>()!.Description ?? methods[m].Name;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {description} | {Percentile(times[m], 0.5):F1} | {Percentile(ratios, 0.5):F2} ({Percentile(ratios, 0.25):F2}–{Percentile(ratios, 0.75):F2}) |"));
            }

            return 0;
        }
        finally
        {
            await InvokeAllAsync(suite, instance, typeof(GlobalCleanupAttribute)).ConfigureAwait(false);
        }
    }

    private static IEnumerable<MethodInfo> Benchmarks(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null && m.GetParameters().Length == 0);

    private static async Task InvokeAllAsync(Type type, object instance, Type attribute)
    {
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.IsDefined(attribute)))
        {
            await CallAsync(method, instance).ConfigureAwait(false);
        }
    }

    private static Task CallAsync(MethodInfo method, object instance) => method.Invoke(instance, null) switch
    {
        Task task => task,
        ValueTask valueTask => valueTask.AsTask(),
        var result when result?.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ValueTask<>) =>
            (Task)type.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!,
        _ => Task.CompletedTask,
    };

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Round(p * (sorted.Count - 1))];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
