using System.Runtime.CompilerServices;
using MusicLocker.Internal;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;

namespace MusicLocker.DependencyInjection;

/// <summary>
/// The locker a container hands out: resolving it is instant and opens nothing; the parts (whose factories are async:
/// a database migration, a key ring read) are opened once, on the thread pool, by the first call that needs them, and
/// every caller awaits that one open. No thread ever blocks on it, so a container resolved on a UI or request thread,
/// or from a saturated thread pool, cannot deadlock or starve. A failed open is not kept: the next call tries again
/// (a database that was down at start does not leave the app broken until restart).
/// </summary>
internal sealed partial class DeferredLocker : ILocker
{
    private readonly Func<CancellationToken, Task<LockerService>> _open;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private Task<LockerService>? _opening;
    private bool _disposed;

    public DeferredLocker(Func<CancellationToken, Task<LockerService>> open) => _open = open;

    public IUserLocker ForUser(string userId)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        LockerKeys.ValidateUserId(userId);
        return new DeferredUserLocker(this, userId);
    }

    public async Task<LockerSweepResult> SweepAsync(CancellationToken cancellationToken = default) =>
        await (await OpenedAsync(cancellationToken).ConfigureAwait(false)).SweepAsync(cancellationToken).ConfigureAwait(false);

    public async Task<RetentionSweepResult> SweepRetentionAsync(CancellationToken cancellationToken = default) =>
        await (await OpenedAsync(cancellationToken).ConfigureAwait(false)).SweepRetentionAsync(cancellationToken).ConfigureAwait(false);

    public async Task<ReconcileReport> ReconcileAsync(string userId, ReconcileOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await OpenedAsync(cancellationToken).ConfigureAwait(false)).ReconcileAsync(userId, options, cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ReconcileReport> ReconcileAllAsync(ReconcileOptions? options = null, IProgress<ReconcileProgress>? progress = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var locker = await OpenedAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var report in locker.ReconcileAllAsync(options, progress, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return report;
        }
    }

    /// <summary>The opened locker, opening it on the first call (one open, however many callers).</summary>
    internal ValueTask<LockerService> OpenedAsync(CancellationToken cancellationToken)
    {
        var opening = Volatile.Read(ref _opening);
        return opening is { IsCompletedSuccessfully: true }
            ? ValueTask.FromResult(opening.Result)
            : new ValueTask<LockerService>(Start().WaitAsync(cancellationToken));
    }

    private Task<LockerService> Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_opening is null || _opening.IsFaulted || _opening.IsCanceled)
            {
                // Task.Run: the factories' synchronous first steps run on the pool, never on the caller's thread (a UI
                // or request context), and no caller's cancellation cancels an open others are waiting for; only
                // disposing the locker does.
                var token = _disposing.Token;
                _opening = Task.Run(() => _open(token), token);
            }

            return _opening;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<LockerService>? opening;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            opening = _opening;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (opening is not null)
        {
            LockerService? opened = null;
            try
            {
                opened = await opening.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException || opening.IsFaulted)
            {
                // Nothing was opened (or the open's own cleanup disposed what it had): nothing to close.
            }

            if (opened is not null)
            {
                await opened.DisposeAsync().ConfigureAwait(false);
            }
        }

        _disposing.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>One user's view of a <see cref="DeferredLocker"/>: each call awaits the open, then runs on the opened locker.</summary>
internal sealed partial class DeferredUserLocker(DeferredLocker locker, string userId)
    : IUserLocker, ILockerTracks, ILockerUploads, ILockerDownloads, ILockerPlaylists, ILockerHistory, ILockerQuota, ILockerAccount
{
    private IUserLocker? _opened;

    public string UserId => userId;

    public ILockerTracks Tracks => this;

    public ILockerUploads Uploads => this;

    public ILockerDownloads Downloads => this;

    public ILockerPlaylists Playlists => this;

    public ILockerHistory History => this;

    public ILockerQuota Quota => this;

    public ILockerAccount Account => this;

    private async ValueTask<IUserLocker> UserAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _opened) is { } opened)
        {
            return opened;
        }

        var user = (await locker.OpenedAsync(cancellationToken).ConfigureAwait(false)).ForUser(userId);
        Volatile.Write(ref _opened, user);
        return user;
    }

    private async Task<T> Call<T>(Func<IUserLocker, Task<T>> call, CancellationToken cancellationToken) =>
        await call(await UserAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    private async Task Call(Func<IUserLocker, Task> call, CancellationToken cancellationToken) =>
        await call(await UserAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    private async IAsyncEnumerable<T> Stream<T>(Func<IUserLocker, IAsyncEnumerable<T>> list, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var user = await UserAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var item in list(user).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    IAsyncEnumerable<LockerTrack> ILockerTracks.ListAsync(TrackQuery? query, CancellationToken cancellationToken) =>
        Stream(u => u.Tracks.ListAsync(query, cancellationToken), cancellationToken);

    Task<LockerPage<LockerTrack>> ILockerTracks.GetPageAsync(TrackQuery query, CancellationToken cancellationToken) =>
        Call(u => u.Tracks.GetPageAsync(query, cancellationToken), cancellationToken);

    Task<LockerTrack> ILockerTracks.GetAsync(Guid trackId, CancellationToken cancellationToken) =>
        Call(u => u.Tracks.GetAsync(trackId, cancellationToken), cancellationToken);

    Task<TrackDetails> ILockerTracks.GetDetailsAsync(Guid trackId, CancellationToken cancellationToken) =>
        Call(u => u.Tracks.GetDetailsAsync(trackId, cancellationToken), cancellationToken);

    IAsyncEnumerable<LockerTrack> ILockerTracks.SearchAsync(string text, CancellationToken cancellationToken) =>
        Stream(u => u.Tracks.SearchAsync(text, cancellationToken), cancellationToken);

    IAsyncEnumerable<AlbumSummary> ILockerTracks.ListAlbumsAsync(CancellationToken cancellationToken) =>
        Stream(u => u.Tracks.ListAlbumsAsync(cancellationToken), cancellationToken);

    IAsyncEnumerable<ArtistSummary> ILockerTracks.ListArtistsAsync(CancellationToken cancellationToken) =>
        Stream(u => u.Tracks.ListArtistsAsync(cancellationToken), cancellationToken);

    IAsyncEnumerable<GenreSummary> ILockerTracks.ListGenresAsync(CancellationToken cancellationToken) =>
        Stream(u => u.Tracks.ListGenresAsync(cancellationToken), cancellationToken);

    Task<LockerTrack> ILockerTracks.UpdateTagsAsync(Guid trackId, TrackTags tags, CancellationToken cancellationToken) =>
        Call(u => u.Tracks.UpdateTagsAsync(trackId, tags, cancellationToken), cancellationToken);

    Task ILockerTracks.SetCoverArtAsync(Guid trackId, ReadOnlyMemory<byte> picture, string mimeType, CancellationToken cancellationToken) =>
        Call(u => u.Tracks.SetCoverArtAsync(trackId, picture, mimeType, cancellationToken), cancellationToken);

    Task ILockerTracks.RemoveCoverArtAsync(Guid trackId, CancellationToken cancellationToken) =>
        Call(u => u.Tracks.RemoveCoverArtAsync(trackId, cancellationToken), cancellationToken);

    Task ILockerTracks.RestoreCoverArtAsync(Guid trackId, CancellationToken cancellationToken) =>
        Call(u => u.Tracks.RestoreCoverArtAsync(trackId, cancellationToken), cancellationToken);

    Task ILockerTracks.DeleteAsync(Guid trackId, CancellationToken cancellationToken) =>
        Call(u => u.Tracks.DeleteAsync(trackId, cancellationToken), cancellationToken);

    Task<UploadResult> ILockerUploads.UploadFileAsync(string path, UploadOptions? options, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) =>
        Call(u => u.Uploads.UploadFileAsync(path, options, progress, cancellationToken), cancellationToken);

    Task<UploadResult> ILockerUploads.UploadAsync(Stream content, UploadOptions? options, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) =>
        Call(u => u.Uploads.UploadAsync(content, options, progress, cancellationToken), cancellationToken);

    Task<UploadResult> ILockerUploads.ResumeAsync(Guid sessionId, string path, UploadOptions? options, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) =>
        Call(u => u.Uploads.ResumeAsync(sessionId, path, options, progress, cancellationToken), cancellationToken);

    Task<UploadResult> ILockerUploads.ResumeAsync(Guid sessionId, Stream content, UploadOptions? options, IProgress<UploadProgress>? progress, CancellationToken cancellationToken) =>
        Call(u => u.Uploads.ResumeAsync(sessionId, content, options, progress, cancellationToken), cancellationToken);

    Task<IReadOnlyList<PendingUpload>> ILockerUploads.ListPendingAsync(CancellationToken cancellationToken) =>
        Call(u => u.Uploads.ListPendingAsync(cancellationToken), cancellationToken);

    Task<bool> ILockerUploads.CancelAsync(Guid sessionId, CancellationToken cancellationToken) =>
        Call(u => u.Uploads.CancelAsync(sessionId, cancellationToken), cancellationToken);

    Task<IReadOnlyList<BatchUploadItem>> ILockerUploads.UploadFilesAsync(IReadOnlyList<string> paths, UploadOptions? options, CancellationToken cancellationToken) =>
        Call(u => u.Uploads.UploadFilesAsync(paths, options, cancellationToken), cancellationToken);

    Task<ScanResult> ILockerUploads.ScanAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken) =>
        Call(u => u.Uploads.ScanAsync(paths, cancellationToken), cancellationToken);

    Task<long> ILockerDownloads.DownloadToAsync(Guid trackId, Stream destination, DownloadOptions? options, CancellationToken cancellationToken) =>
        Call(u => u.Downloads.DownloadToAsync(trackId, destination, options, cancellationToken), cancellationToken);

    Task<TrackContent> ILockerDownloads.OpenReadAsync(Guid trackId, long offset, long? length, CancellationToken cancellationToken) =>
        Call(u => u.Downloads.OpenReadAsync(trackId, offset, length, cancellationToken), cancellationToken);

    Task<CoverArt> ILockerDownloads.OpenCoverArtAsync(Guid trackId, CancellationToken cancellationToken) =>
        Call(u => u.Downloads.OpenCoverArtAsync(trackId, cancellationToken), cancellationToken);

    Task<StreamableTrack> ILockerDownloads.OpenStreamAsync(Guid trackId, CancellationToken cancellationToken) =>
        Call(u => u.Downloads.OpenStreamAsync(trackId, cancellationToken), cancellationToken);

    Task<Playlist> ILockerPlaylists.CreateAsync(string name, CancellationToken cancellationToken) =>
        Call(u => u.Playlists.CreateAsync(name, cancellationToken), cancellationToken);

    IAsyncEnumerable<Playlist> ILockerPlaylists.ListAsync(CancellationToken cancellationToken) =>
        Stream(u => u.Playlists.ListAsync(cancellationToken), cancellationToken);

    Task<Playlist> ILockerPlaylists.GetAsync(Guid playlistId, CancellationToken cancellationToken) =>
        Call(u => u.Playlists.GetAsync(playlistId, cancellationToken), cancellationToken);

    Task<Playlist> ILockerPlaylists.RenameAsync(Guid playlistId, string name, CancellationToken cancellationToken) =>
        Call(u => u.Playlists.RenameAsync(playlistId, name, cancellationToken), cancellationToken);

    Task<bool> ILockerPlaylists.DeleteAsync(Guid playlistId, CancellationToken cancellationToken) =>
        Call(u => u.Playlists.DeleteAsync(playlistId, cancellationToken), cancellationToken);

    Task<IReadOnlyList<LockerPlaylistEntry>> ILockerPlaylists.GetEntriesAsync(Guid playlistId, CancellationToken cancellationToken) =>
        Call(u => u.Playlists.GetEntriesAsync(playlistId, cancellationToken), cancellationToken);

    Task<IReadOnlyList<LockerPlaylistEntry>> ILockerPlaylists.AddTracksAsync(Guid playlistId, IReadOnlyList<Guid> trackIds, int? index, CancellationToken cancellationToken) =>
        Call(u => u.Playlists.AddTracksAsync(playlistId, trackIds, index, cancellationToken), cancellationToken);

    Task ILockerPlaylists.RemoveEntryAsync(Guid playlistId, Guid entryId, CancellationToken cancellationToken) =>
        Call(u => u.Playlists.RemoveEntryAsync(playlistId, entryId, cancellationToken), cancellationToken);

    Task ILockerPlaylists.MoveEntryAsync(Guid playlistId, Guid entryId, int newIndex, CancellationToken cancellationToken) =>
        Call(u => u.Playlists.MoveEntryAsync(playlistId, entryId, newIndex, cancellationToken), cancellationToken);

    Task<bool> ILockerHistory.RecordPlayAsync(Guid trackId, CancellationToken cancellationToken) =>
        Call(u => u.History.RecordPlayAsync(trackId, cancellationToken), cancellationToken);

    Task<IReadOnlyList<LockerPlay>> ILockerHistory.GetRecentlyPlayedAsync(int count, CancellationToken cancellationToken) =>
        Call(u => u.History.GetRecentlyPlayedAsync(count, cancellationToken), cancellationToken);

    Task<IReadOnlyList<LockerPlayCount>> ILockerHistory.GetMostPlayedAsync(int count, CancellationToken cancellationToken) =>
        Call(u => u.History.GetMostPlayedAsync(count, cancellationToken), cancellationToken);

    Task<long> ILockerHistory.SetEnabledAsync(bool enabled, CancellationToken cancellationToken) =>
        Call(u => u.History.SetEnabledAsync(enabled, cancellationToken), cancellationToken);

    Task<QuotaStatus> ILockerQuota.GetStatusAsync(CancellationToken cancellationToken) =>
        Call(u => u.Quota.GetStatusAsync(cancellationToken), cancellationToken);

    Task<QuotaPreview> ILockerQuota.PreviewAsync(IReadOnlyList<PlannedUpload> files, CancellationToken cancellationToken) =>
        Call(u => u.Quota.PreviewAsync(files, cancellationToken), cancellationToken);

    Task<LockerUser> ILockerAccount.GetAsync(CancellationToken cancellationToken) =>
        Call(u => u.Account.GetAsync(cancellationToken), cancellationToken);

    Task<QuotaStatus> ILockerAccount.SetPlanAsync(string planId, long? overrideLimitBytes, CancellationToken cancellationToken) =>
        Call(u => u.Account.SetPlanAsync(planId, overrideLimitBytes, cancellationToken), cancellationToken);

    Task<AccountDeletionReport> ILockerAccount.DeleteAsync(CancellationToken cancellationToken) =>
        Call(u => u.Account.DeleteAsync(cancellationToken), cancellationToken);

    Task ILockerAccount.RecordActivityAsync(CancellationToken cancellationToken) =>
        Call(u => u.Account.RecordActivityAsync(cancellationToken), cancellationToken);

    Task<ExportResult> ILockerAccount.ExportToFolderAsync(string folder, IProgress<ExportProgress>? progress, CancellationToken cancellationToken) =>
        Call(u => u.Account.ExportToFolderAsync(folder, progress, cancellationToken), cancellationToken);

    Task<ExportResult> ILockerAccount.ExportToZipAsync(Stream destination, IProgress<ExportProgress>? progress, CancellationToken cancellationToken) =>
        Call(u => u.Account.ExportToZipAsync(destination, progress, cancellationToken), cancellationToken);
}
