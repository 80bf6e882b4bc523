using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace MusicLocker.Benchmarks.Crypto;

/// <summary>
/// BenchmarkDotNet's short job, run in process (on the shared 2-core machine the separate benchmark build often passes
/// BenchmarkDotNet's two-minute build timeout), with 15 measured iterations instead of 3: other work on the same cores
/// makes single iterations swing by ±50%, and three of them give a ratio no one can judge. Still ~1 minute per suite.
/// </summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig() => AddJob(Job.ShortRun.WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance));
}
