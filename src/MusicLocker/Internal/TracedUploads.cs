using MusicLocker.Diagnostics;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Internal;

/// <summary>
/// The uploads a user sees: <see cref="UserUploads"/> with the <c>locker.upload</c> span, the upload counters and log
/// events, and the user's activity recorded. A decorator, so the upload pipeline itself carries no telemetry code.
/// </summary>
internal sealed class TracedUploads(LockerCore core, string userId, ILockerUploads inner) : ILockerUploads
{
    public Task<UploadResult> UploadFileAsync(string path, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        TraceAsync(() => inner.UploadFileAsync(path, options, progress, cancellationToken), cancellationToken);

    public Task<UploadResult> UploadAsync(Stream content, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        TraceAsync(() => inner.UploadAsync(content, options, progress, cancellationToken), cancellationToken);

    public Task<UploadResult> ResumeAsync(Guid sessionId, string path, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        TraceAsync(() => inner.ResumeAsync(sessionId, path, options, progress, cancellationToken), cancellationToken);

    public Task<UploadResult> ResumeAsync(Guid sessionId, Stream content, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        TraceAsync(() => inner.ResumeAsync(sessionId, content, options, progress, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<PendingUpload>> ListPendingAsync(CancellationToken cancellationToken = default) => inner.ListPendingAsync(cancellationToken);

    public Task<bool> CancelAsync(Guid sessionId, CancellationToken cancellationToken = default) => inner.CancelAsync(sessionId, cancellationToken);

    /// <summary>The batch runs in the inner uploads; its span covers the whole batch and each file's outcome is counted.</summary>
    public Task<IReadOnlyList<BatchUploadItem>> UploadFilesAsync(IReadOnlyList<string> paths, UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        LockerTelemetry.TraceAsync("upload", userId, async activity =>
        {
            var items = await inner.UploadFilesAsync(paths, options, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("musiclocker.upload.files", items.Count);
            foreach (var item in items)
            {
                Record(item.Result, item.Error);
            }

            if (items.Any(i => i.Result is not null))
            {
                await LockerErrors.Guard(() => core.Activity.TouchAsync(userId, cancellationToken)).ConfigureAwait(false);
            }

            return items;
        });

    public Task<ScanResult> ScanAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken = default) => inner.ScanAsync(paths, cancellationToken);

    private Task<UploadResult> TraceAsync(Func<Task<UploadResult>> upload, CancellationToken cancellationToken) =>
        LockerTelemetry.TraceAsync("upload", userId, async activity =>
        {
            UploadResult result;
            try
            {
                result = await upload().ConfigureAwait(false);
            }
            catch (LockerException ex)
            {
                Record(null, ex);
                throw;
            }

            Record(result, null);
            activity?.SetTag("musiclocker.upload.outcome", result.Outcome.ToString().ToLowerInvariant());
            activity?.SetTag("musiclocker.bytes", result.Track.SizeBytes);

            // After the upload, which created the user: the first use of the day records activity.
            await LockerErrors.Guard(() => core.Activity.TouchAsync(userId, cancellationToken)).ConfigureAwait(false);
            return result;
        });

    private void Record(UploadResult? result, LockerException? error)
    {
        if (result is not null)
        {
            LockerTelemetry.RecordUpload(result);
            LockerLog.Uploaded(core.Logger, userId, result.Outcome, result.Track.SizeBytes);
        }
        else if (error is not null)
        {
            LockerTelemetry.RecordUploadFailure();
            LockerLog.UploadFailed(core.Logger, userId, error.ErrorCode);
        }
    }
}
