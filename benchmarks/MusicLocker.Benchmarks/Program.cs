using BenchmarkDotNet.Running;

// Run all suites: dotnet run -c Release --project benchmarks/MusicLocker.Benchmarks -- --filter '*'
// The bounded HTTP load run: dotnet run -c Release --project benchmarks/MusicLocker.Benchmarks -- load --streams 200 --seconds 30
if (args.Length > 0 && args[0] == "load")
{
    return await MusicLocker.Benchmarks.Http.LoadRun.RunAsync(args[1..]);
}

// One suite's methods interleaved block by block, ratios per round: dotnet run … -- interleave RangeReaderEncryptedBenchmarks --rounds 30
if (args.Length > 0 && args[0] == "interleave")
{
    return await MusicLocker.Benchmarks.InterleavedRun.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point of the benchmark suites.</summary>
public static partial class Program;
