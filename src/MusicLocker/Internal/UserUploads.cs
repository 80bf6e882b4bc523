using MusicLocker.Metadata;
using MusicLocker.Media;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.Internal;

internal sealed class UserUploads(LockerCore core, string userId) : ILockerUploads
{
    private readonly UploadPipeline _pipeline = new(core, userId);

    public Task<UploadResult> UploadFileAsync(string path, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            var file = LocalFile.Open(path);
            await using (file.ConfigureAwait(false))
            {
                var settings = options ?? new UploadOptions();
                return await _pipeline.UploadAsync(file, settings.FileName ?? path, settings, progress, cancellationToken).ConfigureAwait(false);
            }
        });

    public Task<UploadResult> UploadAsync(Stream content, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return LockerErrors.Guard(async () =>
        {
            // A fresh upload is sniffed while it spools (a file that is not audio is refused within its first MiBs); a
            // resumed one may be the rest of a file, which only the pipeline can judge.
            var source = await SeekableSource.OpenAsync(content, core.Options.TempFolder, core.Prober, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var settings = options ?? new UploadOptions();
                return await _pipeline.UploadAsync(source.Stream, settings.FileName ?? "upload", settings, progress, cancellationToken).ConfigureAwait(false);
            }
        });
    }

    public Task<UploadResult> ResumeAsync(Guid sessionId, string path, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            var file = LocalFile.Open(path);
            await using (file.ConfigureAwait(false))
            {
                return await _pipeline.ResumeAsync(sessionId, file, options ?? new UploadOptions(), progress, cancellationToken).ConfigureAwait(false);
            }
        });

    public Task<UploadResult> ResumeAsync(Guid sessionId, Stream content, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return LockerErrors.Guard(async () =>
        {
            var source = await SeekableSource.OpenAsync(content, core.Options.TempFolder, sniffer: null, cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                return await _pipeline.ResumeAsync(sessionId, source.Stream, options ?? new UploadOptions(), progress, cancellationToken).ConfigureAwait(false);
            }
        });
    }

    public Task<IReadOnlyList<PendingUpload>> ListPendingAsync(CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            var sessions = await LockerErrors.ToListAsync(core.Metadata.UploadSessions.ListOpenAsync(userId, cancellationToken), cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<PendingUpload>)sessions
                .Select(s => new PendingUpload(s.Id, s.FileName, s.DeclaredBytes, s.ReceivedBytes, s.CreatedAt, s.UpdatedAt))
                .ToArray();
        });

    public Task<bool> CancelAsync(Guid sessionId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            UploadSession session;
            try
            {
                session = await core.Metadata.UploadSessions.GetAsync(userId, sessionId, cancellationToken).ConfigureAwait(false);
            }
            catch (MetadataNotFoundException)
            {
                return false;
            }

            await UploadPipeline.AbandonAsync(core, session, cancellationToken).ConfigureAwait(false);
            return true;
        });

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

    public Task<ScanResult> ScanAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            var files = new List<ScannedFile>(paths.Count);
            var planned = new List<PlannedUpload>();
            foreach (string path in paths)
            {
                var scanned = await ScanOneAsync(path, cancellationToken).ConfigureAwait(false);
                files.Add(scanned);
                if (scanned.IsNew)
                {
                    planned.Add(new PlannedUpload(path, scanned.SizeBytes, scanned.ContentHash));
                }
            }

            var preview = await core.Metadata.Quota.PreviewAsync(userId, planned, cancellationToken).ConfigureAwait(false);
            return new ScanResult(files, preview);
        });
    }

    private async Task<ScannedFile> ScanOneAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var file = LocalFile.Open(path);
            await using (file.ConfigureAwait(false))
            {
                var probe = await core.Prober.ProbeAsync(new StreamRandomAccessSource(file, 0), cancellationToken).ConfigureAwait(false);
                var (content, audio) = await FileHasher.HashAsync(file, probe.AudioOffset, probe.AudioLength, cancellationToken).ConfigureAwait(false);
                var existing = await _pipeline.FindExistingAsync(content, audio, file, probe, cancellationToken).ConfigureAwait(false);
                return new ScannedFile(path, file.Length, content, audio, existing?.Id, null);
            }
        }
        catch (MediaFormatException ex)
        {
            return new ScannedFile(path, 0, null, null, null, LockerErrors.Translate(ex).ErrorCode);
        }
        catch (LockerException ex) when (ex.ErrorCode is LockerErrorCode.FileNotFound or LockerErrorCode.FileUnreadable or LockerErrorCode.AudioHashCollision or LockerErrorCode.Inconsistent)
        {
            return new ScannedFile(path, 0, null, null, null, ex.ErrorCode);
        }
    }
}
