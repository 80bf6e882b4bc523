using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// The storage layer's <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>
/// (both named <c>MusicLocker.Storage</c>), shared by every store so that one span and one set of counters describe a
/// storage call whatever the provider. A provider calls <see cref="StartOperation"/> at the top of each
/// <see cref="IBlobStore"/> method and disposes the returned scope when the call ends. Names are listed in
/// <c>docs/telemetry.md</c>.
/// </summary>
public static class StorageInstrumentation
{
    /// <summary>The name of the activity source and of the meter: <c>MusicLocker.Storage</c>.</summary>
    public const string SourceName = "MusicLocker.Storage";

    private static readonly string? Version = typeof(StorageInstrumentation).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>The source of the <c>storage.*</c> spans.</summary>
    public static ActivitySource ActivitySource { get; } = new(SourceName, Version);

    /// <summary>The meter of the <c>musiclocker.storage.*</c> instruments.</summary>
    public static Meter Meter { get; } = new(SourceName, Version);

    internal static readonly Counter<long> BytesRead =
        Meter.CreateCounter<long>("musiclocker.storage.bytes_read", "By", "Bytes read from stores (payload bytes handed to callers).");

    internal static readonly Counter<long> BytesWritten =
        Meter.CreateCounter<long>("musiclocker.storage.bytes_written", "By", "Bytes written to stores (payload bytes of puts and parts).");

    internal static readonly Counter<long> Retries =
        Meter.CreateCounter<long>("musiclocker.storage.retries", "{retry}", "Requests a provider sent again after a transient failure.");

    internal static readonly Counter<long> Operations =
        Meter.CreateCounter<long>("musiclocker.storage.operations", "{operation}", "Storage calls, by store, operation and outcome.");

    internal static readonly Histogram<double> Duration =
        Meter.CreateHistogram<double>("musiclocker.storage.duration", "s", "How long storage calls took.");

    /// <summary>
    /// Starts the span <c>storage.{operation}</c> of one storage call, tagged with the store and the key.
    /// Dispose the scope when the call ends; call <see cref="StorageOperationScope.Fail"/> first when it failed.
    /// </summary>
    /// <param name="store">The store's short name (<c>filesystem</c>, <c>inmemory</c>, <c>s3</c>, <c>azure</c>, <c>encrypted</c>, …).</param>
    /// <param name="operation">The operation (<c>read</c>, <c>put</c>, <c>delete</c>, <c>list</c>, <c>multipart.upload_part</c>, …).</param>
    /// <param name="key">The blob key, when the call has one.</param>
    /// <param name="kind"><see cref="ActivityKind.Client"/> for a provider that talks to a server, else <see cref="ActivityKind.Internal"/>.</param>
    public static StorageOperationScope StartOperation(string store, string operation, BlobKey? key = null, ActivityKind kind = ActivityKind.Internal)
    {
        ArgumentException.ThrowIfNullOrEmpty(store);
        ArgumentException.ThrowIfNullOrEmpty(operation);
        var activity = ActivitySource.StartActivity("storage." + operation, kind);
        if (activity is not null)
        {
            activity.SetTag("musiclocker.store", store);
            if (key is { } k)
            {
                activity.SetTag("musiclocker.blob.key", k.Value);
            }
        }

        return new StorageOperationScope(activity, store, operation);
    }

    /// <summary>Counts one request a provider sent again after a transient failure.</summary>
    public static void RecordRetry(string store, string operation) =>
        Retries.Add(1, new KeyValuePair<string, object?>("musiclocker.store", store), new KeyValuePair<string, object?>("musiclocker.operation", operation));

    /// <summary>Counts payload bytes read from a store (call as bytes reach the caller, e.g. from a download stream).</summary>
    public static void RecordBytesRead(string store, long bytes)
    {
        if (bytes > 0)
        {
            BytesRead.Add(bytes, new KeyValuePair<string, object?>("musiclocker.store", store));
        }
    }

    /// <summary>Counts payload bytes written to a store.</summary>
    public static void RecordBytesWritten(string store, long bytes)
    {
        if (bytes > 0)
        {
            BytesWritten.Add(bytes, new KeyValuePair<string, object?>("musiclocker.store", store));
        }
    }
}
