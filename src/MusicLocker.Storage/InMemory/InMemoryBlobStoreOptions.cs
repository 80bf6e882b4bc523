using Microsoft.Extensions.Logging;

namespace MusicLocker.Storage.InMemory;

/// <summary>Options of <see cref="InMemoryBlobStore"/>; the store copies them when it is created.</summary>
public sealed class InMemoryBlobStoreOptions
{
    /// <summary>The clock for last-modified times. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the store logs (see <c>docs/telemetry.md</c>); <see langword="null"/> logs nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
