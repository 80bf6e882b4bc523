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

    public async Task<IReadOnlyList<BatchUploadItem>> UploadFilesAsync(IReadOnlyList<string> paths, UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var results = new BatchUploadItem[paths.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, paths.Count),
            new ParallelOptions { MaxDegreeOfParallelism = core.Options.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                try
                {
                    results[i] = new BatchUploadItem(paths[i], await UploadFileAsync(paths[i], options, null, ct).ConfigureAwait(false), null);
                }
                catch (LockerException ex)
                {
                    results[i] = new BatchUploadItem(paths[i], null, ex);
                }
            }).ConfigureAwait(false);
        return results;
    }

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
                LockerTelemetry.RecordUploadFailure();
                LockerLog.UploadFailed(core.Logger, userId, ex.ErrorCode);
                throw;
            }

            LockerTelemetry.RecordUpload(result);
            activity?.SetTag("musiclocker.upload.outcome", result.Outcome.ToString().ToLowerInvariant());
            activity?.SetTag("musiclocker.bytes", result.Track.SizeBytes);
            LockerLog.Uploaded(core.Logger, userId, result.Outcome, result.Track.SizeBytes);

            // After the upload, which created the user: the first use of the day records activity.
            await LockerErrors.Guard(() => core.Activity.TouchAsync(userId, cancellationToken)).ConfigureAwait(false);
            return result;
        });
}
