using BenchmarkDotNet.Running;

// Run all suites: dotnet run -c Release --project benchmarks/MusicLocker.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point of the benchmark suites.</summary>
public static partial class Program;
