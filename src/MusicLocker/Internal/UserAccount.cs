using MusicLocker.Crypto;
using MusicLocker.Diagnostics;
using MusicLocker.Internal.Export;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

internal sealed class UserAccount(LockerCore core, string userId) : ILockerAccount
{
    public Task<LockerUser> GetAsync(CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(() => core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken));

    public Task<QuotaStatus> SetPlanAsync(string planId, long? overrideLimitBytes = null, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await core.Metadata.Quota.SetPlanAsync(userId, planId, overrideLimitBytes, cancellationToken).ConfigureAwait(false);
        });

    public Task<AccountDeletionReport> DeleteAsync(CancellationToken cancellationToken = default) =>
        LockerTelemetry.TraceAsync("delete_account", userId, async _ =>
        {
            var report = await LockerErrors.Guard(() => DeleteCoreAsync(cancellationToken)).ConfigureAwait(false);
            LockerLog.AccountDeleted(core.Logger, userId, report.KeyDestroyed, report.ObjectsDeleted, report.TracksDeleted, report.Verified);
            return report;
        });

    public Task RecordActivityAsync(CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () =>
        {
            await core.Metadata.Users.EnsureAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false);
            await core.Activity.TouchAsync(userId, cancellationToken).ConfigureAwait(false);
        });

    public Task<ExportResult> ExportToFolderAsync(string folder, IProgress<ExportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return ExportAsync(() => FolderExportSink.Create(folder), progress, cancellationToken);
    }

    public Task<ExportResult> ExportToZipAsync(Stream destination, IProgress<ExportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            LockerErrors.ThrowInvalidArgument(nameof(destination), "The stream cannot be written.");
        }

        return ExportAsync(() => ZipExportSink.Create(destination, core.Time.GetUtcNow()), progress, cancellationToken);
    }

    private Task<ExportResult> ExportAsync(Func<IExportSink> openSink, IProgress<ExportProgress>? progress, CancellationToken cancellationToken) =>
        LockerTelemetry.TraceAsync("export", userId, _ => LockerErrors.Guard(async () =>
        {
            var sink = openSink();
            await using (sink.ConfigureAwait(false))
            {
                var result = await new LockerExporter(core, userId, sink, progress).RunAsync(cancellationToken).ConfigureAwait(false);
                await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
                LockerLog.Exported(core.Logger, userId, result.Tracks, result.Playlists, result.Plays, result.AudioBytes);
                return result;
            }
        }));

    private async Task<AccountDeletionReport> DeleteCoreAsync(CancellationToken cancellationToken)
    {
        // 1. Crypto-shred first: from here on no object of the user decrypts, in this store, its backups or replicas.
        var owner = core.OwnerOf(userId);
        if (core.Keys is { } keys)
        {
            await keys.DestroyUserKeyAsync(owner, cancellationToken).ConfigureAwait(false);
        }

        // 2. Open uploads: their parts are ciphertext under the destroyed key; abort what the store still holds.
        foreach (var session in await OpenSessionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (session.MultipartUploadId is { } uploadId)
            {
                try
                {
                    await core.Objects.AbortMultipartUploadAsync(new MultipartUpload(BlobKey.Parse(session.StorageKey), uploadId), cancellationToken).ConfigureAwait(false);
                }
                catch (BlobStoreException)
                {
                    // Unreadable now and unreferenced: the object store's sweep of stale uploads removes the parts.
                }
            }
        }

        // 3. Every object under the user's prefix (streamed listing).
        int objects = await DeleteObjectsAsync(cancellationToken).ConfigureAwait(false);

        // 4. Catalog, playlists, history, quota, reservations and sessions: one cascading delete.
        int tracks = 0;
        try
        {
            tracks = (await core.Metadata.Users.DeleteAsync(userId, cancellationToken).ConfigureAwait(false)).TrackCount;
        }
        catch (MetadataNotFoundException)
        {
            // Deleted by an earlier (interrupted) run.
        }

        // An upload racing the deletion may have written after the listing: sweep once more.
        objects += await DeleteObjectsAsync(cancellationToken).ConfigureAwait(false);
        bool verified = await VerifyAsync(owner, cancellationToken).ConfigureAwait(false);
        return new AccountDeletionReport(userId, core.Keys is not null, objects, tracks, verified);
    }

    private async Task<IReadOnlyList<UploadSession>> OpenSessionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await LockerErrors.ToListAsync(core.Metadata.UploadSessions.ListOpenAsync(userId, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataNotFoundException)
        {
            return [];
        }
    }

    private async Task<int> DeleteObjectsAsync(CancellationToken cancellationToken)
    {
        int deleted = 0;
        await foreach (var item in core.Raw.ListAsync(LockerKeys.UserPrefix(userId), cancellationToken).ConfigureAwait(false))
        {
            if (await core.Objects.DeleteAsync(item.Key, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>The verification pass: no object under the prefix, no user row, and (encrypted) a destroyed key.</summary>
    private async Task<bool> VerifyAsync(KeyOwner owner, CancellationToken cancellationToken)
    {
        await foreach (var _ in core.Raw.ListAsync(LockerKeys.UserPrefix(userId), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await core.Metadata.Users.GetAsync(userId, cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (MetadataNotFoundException)
        {
        }

        if (core.KeyStore is { } store)
        {
            var record = await store.ReadAsync(owner, cancellationToken).ConfigureAwait(false);
            return record.Record.IsDestroyed;
        }

        return true;
    }
}
