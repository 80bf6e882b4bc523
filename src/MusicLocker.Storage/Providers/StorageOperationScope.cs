using System.Diagnostics;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// One storage call in progress (from <see cref="StorageInstrumentation.StartOperation"/>): its span, if anyone listens,
/// and the operation counter and duration recorded when it is disposed. Not thread-safe; one per call.
/// </summary>
public sealed class StorageOperationScope : IDisposable
{
    private readonly Activity? _activity;
    private readonly string _store;
    private readonly string _operation;
    private readonly long _started = Stopwatch.GetTimestamp();
    private string _outcome = "ok";
    private bool _disposed;

    internal StorageOperationScope(Activity? activity, string store, string operation)
    {
        _activity = activity;
        _store = store;
        _operation = operation;
    }

    /// <summary>The span of the call, or <see langword="null"/> when no listener samples it.</summary>
    public Activity? Activity => _activity;

    /// <summary>Tags the span with the byte range the call reads or writes.</summary>
    public void SetRange(long offset, long? length)
    {
        _activity?.SetTag("musiclocker.range.offset", offset);
        if (length is { } l)
        {
            _activity?.SetTag("musiclocker.range.length", l);
        }
    }

    /// <summary>Tags the span with the payload bytes the call moved, and counts them as read or written.</summary>
    public void SetBytes(long bytes, bool written)
    {
        _activity?.SetTag("musiclocker.bytes", bytes);
        if (written)
        {
            StorageInstrumentation.RecordBytesWritten(_store, bytes);
        }
        else
        {
            StorageInstrumentation.RecordBytesRead(_store, bytes);
        }
    }

    /// <summary>Marks the call failed: span status Error with <c>error.type</c> (the <see cref="BlobErrorCode"/> or the exception type).</summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string type = exception is BlobStoreException blob ? blob.ErrorCode.ToString() : exception.GetType().FullName ?? "Exception";
        _outcome = exception is OperationCanceledException ? "cancelled" : "error";
        if (_activity is not null)
        {
            _activity.SetTag("error.type", type);
            _activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        }
    }

    /// <summary>Ends the span and records the operation counter and duration.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var tags = new TagList
        {
            { "musiclocker.store", _store },
            { "musiclocker.operation", _operation },
            { "outcome", _outcome },
        };
        StorageInstrumentation.Operations.Add(1, tags);
        StorageInstrumentation.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        _activity?.Dispose();
    }
}
