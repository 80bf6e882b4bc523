using MusicLocker.Metadata;
using MusicLocker.Metadata.Quota;

namespace MusicLocker;

/// <summary>
/// A music locker: the one object an app holds (a singleton; thread-safe). Everything a user owns is reached through
/// <see cref="ForUser"/>, after the app has authenticated that user; no method takes a storage key. Open the embedded
/// default with <see cref="Locker.OpenEmbeddedAsync"/>, or register it with <c>services.AddMusicLocker(…)</c>.
/// </summary>
public interface ILocker : IAsyncDisposable, IDisposable
{
    /// <summary>The locker of one user (cheap; the user is created on first use).</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: the id is empty, too long, or contains <c>/</c> or control characters.</exception>
    IUserLocker ForUser(string userId);

    /// <summary>
    /// Maintenance: gives up upload sessions idle longer than <see cref="MusicLockerOptions.StaleUploadAge"/> (aborts their
    /// parts, releases their reservations) and removes stored objects no track or open upload refers to that are older
    /// than that age. Safe to run on several instances at once.
    /// </summary>
    Task<LockerSweepResult> SweepAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Retention: warns every account unused for <see cref="MusicLockerOptions.RetentionPeriod"/> less
    /// <see cref="MusicLockerOptions.RetentionWarningLead"/> once per idle spell, through <see cref="MusicLockerOptions.RetentionNotifier"/>
    /// when set (the result lists them too; a failed notice is retried by the next sweep), and deletes
    /// every account unused for the whole period whose warning is at least the lead old, through the account deletion
    /// (crypto-shred first, resumable). Safe to run on several instances at once: each account is warned once and deleted once.
    /// </summary>
    Task<RetentionSweepResult> SweepRetentionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Compares one user's catalog, quota ledger and stored objects (both streamed in key order and merged, never loaded
    /// whole) and reports every disagreement; with <see cref="ReconcileOptions.Repair"/> repairs what is safe (never an
    /// object an open upload owns, never anything younger than <see cref="ReconcileOptions.MinimumAge"/>).
    /// </summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: a bad user id or option.</exception>
    Task<ReconcileReport> ReconcileAsync(string userId, ReconcileOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reconciles every user (<see cref="ReconcileAsync"/>, one after the other, so memory is bounded by one user's
    /// reconcile), then the storage prefixes <c>users/{id}/</c> of users the catalog does not know (a deleted account's
    /// leftovers: each object there is an orphan, <see cref="ReconcileIssueKind.ObjectWithoutTrack"/>, deleted on repair once
    /// older than <see cref="ReconcileOptions.MinimumAge"/>). Yields one report per user, consistent ones included, as it
    /// goes; <paramref name="progress"/> hears after each. Stop it with the token. Keys outside <c>users/</c> are not the
    /// locker's and are left alone. In-flight uploads are never drift (open sessions and young objects are left alone).
    /// </summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: a bad option.</exception>
    IAsyncEnumerable<ReconcileReport> ReconcileAllAsync(ReconcileOptions? options = null, IProgress<ReconcileProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The user an API key (<see cref="ILockerAccess.IssueApiKeyAsync"/>) was issued to; <see langword="null"/> when the key is unknown or revoked.</summary>
    Task<string?> FindApiKeyUserAsync(string apiKey, CancellationToken cancellationToken = default);
}

/// <summary>One user's locker: tracks, uploads, downloads, playlists, history, quota and account.</summary>
public interface IUserLocker
{
    /// <summary>The user.</summary>
    string UserId { get; }

    /// <summary>Browse, search, edit and delete tracks.</summary>
    ILockerTracks Tracks { get; }

    /// <summary>Upload files (resumable, deduplicated, quota-checked).</summary>
    ILockerUploads Uploads { get; }

    /// <summary>Read tracks back: the original file, any byte range, the cover picture.</summary>
    ILockerDownloads Downloads { get; }

    /// <summary>Playlists.</summary>
    ILockerPlaylists Playlists { get; }

    /// <summary>Listening history.</summary>
    ILockerHistory History { get; }

    /// <summary>Quota status and previews.</summary>
    ILockerQuota Quota { get; }

    /// <summary>The account: plan, deletion.</summary>
    ILockerAccount Account { get; }

    /// <summary>Browsing as players do: album lists in their orders, paged search.</summary>
    ILockerLibrary Library { get; }

    /// <summary>Stars and ratings.</summary>
    ILockerAnnotations Annotations { get; }

    /// <summary>API keys and the app password players sign in with.</summary>
    ILockerAccess Access { get; }
}

/// <summary>A user's tracks.</summary>
public interface ILockerTracks
{
    /// <summary>Every track matching the query, in its order, paging internally (the query's cursor is where it starts).</summary>
    IAsyncEnumerable<LockerTrack> ListAsync(TrackQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>One page of tracks; pass <see cref="LockerPage{T}.NextCursor"/> back in <see cref="TrackQuery.Cursor"/>.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidCursor"/>: the cursor is not this listing's for this user.</exception>
    Task<LockerPage<LockerTrack>> GetPageAsync(TrackQuery query, CancellationToken cancellationToken = default);

    /// <summary>A track.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>.</exception>
    Task<LockerTrack> GetAsync(Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>What the upload learned about a track's audio (format, gapless data, cover art, seek index).</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>.</exception>
    Task<TrackDetails> GetDetailsAsync(Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>Tracks whose title, artist or album have words starting with every word of <paramref name="text"/>, newest first.</summary>
    IAsyncEnumerable<LockerTrack> SearchAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>The user's albums, by album artist then title.</summary>
    IAsyncEnumerable<AlbumSummary> ListAlbumsAsync(CancellationToken cancellationToken = default);

    /// <summary>The user's artists, by name.</summary>
    IAsyncEnumerable<ArtistSummary> ListArtistsAsync(CancellationToken cancellationToken = default);

    /// <summary>The user's genres, by name.</summary>
    IAsyncEnumerable<GenreSummary> ListGenresAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces a track's tags in the catalog (the stored file is not touched).</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>, or <see cref="LockerErrorCode.InvalidArgument"/> for a tag out of range.</exception>
    Task<LockerTrack> UpdateTagsAsync(Guid trackId, TrackTags tags, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets a new front cover for a track, shown by every reader of its cover art and written into edited copies (see
    /// <see cref="MusicLockerOptions.TagCopyWriter"/>). The picture is stored as its own encrypted object under the
    /// user's key (not counted against the quota: one picture per track, at most <see cref="MaxCoverArtBytes"/>); the
    /// stored original is never rewritten. A cover it replaces is deleted.
    /// </summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/> (another user's track too), or
    /// <see cref="LockerErrorCode.InvalidArgument"/> naming <c>picture</c> (empty, or over <see cref="MaxCoverArtBytes"/>) or
    /// <c>mimeType</c> (not <c>image/jpeg</c>/<c>image/png</c>, or not what the bytes are).</exception>
    Task SetCoverArtAsync(Guid trackId, ReadOnlyMemory<byte> picture, string mimeType, CancellationToken cancellationToken = default);

    /// <summary>Removes a track's cover: no picture is shown or written into edited copies, whatever its file holds.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>.</exception>
    Task RemoveCoverArtAsync(Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>Drops a track's cover edit (set or removed): its file's own cover shows again.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>.</exception>
    Task RestoreCoverArtAsync(Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>The largest cover picture <see cref="SetCoverArtAsync"/> takes: 4 MiB.</summary>
    const int MaxCoverArtBytes = 4 * 1024 * 1024;

    /// <summary>Deletes a track: its catalog entry, playlist entries, plays and quota charge, then its stored bytes.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.TrackNotFound"/>.</exception>
    Task DeleteAsync(Guid trackId, CancellationToken cancellationToken = default);
}

/// <summary>A user's uploads.</summary>
public interface ILockerUploads
{
    /// <summary>Uploads a local file.</summary>
    /// <exception cref="LockerException">
    /// <see cref="LockerErrorCode.UnsupportedFormat"/>, <see cref="LockerErrorCode.DrmProtected"/>, … (nothing stored);
    /// <see cref="LockerErrorCode.FileNotFound"/>; <see cref="LockerQuotaExceededException"/>.
    /// </exception>
    Task<UploadResult> UploadFileAsync(string path, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Uploads the bytes of a stream (read from its current position to its end; a stream that cannot seek is first copied
    /// to a temporary file, since the probe, the hashes and the resumable upload read it more than once).
    /// </summary>
    Task<UploadResult> UploadAsync(Stream content, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Continues an interrupted upload from its last stored part (from any process) with the same file.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.UploadNotFound"/>; <see cref="LockerErrorCode.SourceChanged"/> when the file is not the one the upload started with.</exception>
    Task<UploadResult> ResumeAsync(Guid sessionId, string path, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Continues an interrupted upload from a seekable stream of the same file.</summary>
    Task<UploadResult> ResumeAsync(Guid sessionId, Stream content, UploadOptions? options = null, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The user's interrupted uploads, oldest first.</summary>
    Task<IReadOnlyList<PendingUpload>> ListPendingAsync(CancellationToken cancellationToken = default);

    /// <summary>Gives up an interrupted upload: its parts are removed and its quota reservation released.</summary>
    /// <returns><see langword="false"/> when the user has no such pending upload.</returns>
    Task<bool> CancelAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Uploads files, at most <see cref="MusicLockerOptions.MaxConcurrency"/> at a time; one file's failure does not stop the others.</summary>
    Task<IReadOnlyList<BatchUploadItem>> UploadFilesAsync(IReadOnlyList<string> paths, UploadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Which of these local files are not in the locker yet (by content, nothing uploaded), and whether they would fit.</summary>
    Task<ScanResult> ScanAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken = default);
}

/// <summary>Reading a user's tracks back.</summary>
public partial interface ILockerDownloads
{
    /// <summary>
    /// Writes the track to <paramref name="destination"/>: the original file, byte for byte as uploaded; or, when the app
    /// gave a <see cref="MusicLockerOptions.TagCopyWriter"/> and the catalog's tags or cover differ from the file's, a copy
    /// carrying them (the audio payload unchanged; <paramref name="options"/> pick its ID3v2 version).
    /// </summary>
    /// <returns>The bytes written.</returns>
    Task<long> DownloadToAsync(Guid trackId, Stream destination, DownloadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Writes the track to <paramref name="destination"/> with the default <see cref="DownloadOptions"/>.</summary>
    /// <returns>The bytes written.</returns>
    Task<long> DownloadToAsync(Guid trackId, Stream destination, CancellationToken cancellationToken) =>
        DownloadToAsync(trackId, destination, null, cancellationToken);

    /// <summary>Opens a plaintext byte range of the original file (to its end when <paramref name="length"/> is null).</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: the range starts at or past the end.</exception>
    Task<TrackContent> OpenReadAsync(Guid trackId, long offset = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>Opens the track's cover picture.</summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.CoverArtNotFound"/> when the file has none.</exception>
    Task<CoverArt> OpenCoverArtAsync(Guid trackId, CancellationToken cancellationToken = default);
}

/// <summary>A user's playlists.</summary>
public interface ILockerPlaylists
{
    /// <summary>Creates a playlist.</summary>
    Task<Playlist> CreateAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The user's playlists.</summary>
    IAsyncEnumerable<Playlist> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>A playlist.</summary>
    Task<Playlist> GetAsync(Guid playlistId, CancellationToken cancellationToken = default);

    /// <summary>Renames a playlist.</summary>
    Task<Playlist> RenameAsync(Guid playlistId, string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a playlist (not its tracks).</summary>
    /// <returns><see langword="false"/> when the user had no such playlist.</returns>
    Task<bool> DeleteAsync(Guid playlistId, CancellationToken cancellationToken = default);

    /// <summary>A playlist's entries in order.</summary>
    Task<IReadOnlyList<LockerPlaylistEntry>> GetEntriesAsync(Guid playlistId, CancellationToken cancellationToken = default);

    /// <summary>Adds tracks of the user at <paramref name="index"/> (the end when null).</summary>
    Task<IReadOnlyList<LockerPlaylistEntry>> AddTracksAsync(Guid playlistId, IReadOnlyList<Guid> trackIds, int? index = null, CancellationToken cancellationToken = default);

    /// <summary>Removes one entry.</summary>
    Task RemoveEntryAsync(Guid playlistId, Guid entryId, CancellationToken cancellationToken = default);

    /// <summary>Moves one entry to <paramref name="newIndex"/>.</summary>
    Task MoveEntryAsync(Guid playlistId, Guid entryId, int newIndex, CancellationToken cancellationToken = default);
}

/// <summary>A user's listening history.</summary>
public interface ILockerHistory
{
    /// <summary>Records a play (nothing when the user turned history off).</summary>
    /// <returns>Whether it was recorded.</returns>
    Task<bool> RecordPlayAsync(Guid trackId, CancellationToken cancellationToken = default);

    /// <summary>The latest plays, newest first.</summary>
    Task<IReadOnlyList<LockerPlay>> GetRecentlyPlayedAsync(int count = 50, CancellationToken cancellationToken = default);

    /// <summary>The most played tracks.</summary>
    Task<IReadOnlyList<LockerPlayCount>> GetMostPlayedAsync(int count = 50, CancellationToken cancellationToken = default);

    /// <summary>Turns history on or off; off erases it.</summary>
    /// <returns>The plays erased.</returns>
    Task<long> SetEnabledAsync(bool enabled, CancellationToken cancellationToken = default);
}

/// <summary>A user's quota.</summary>
public interface ILockerQuota
{
    /// <summary>The plan, limit, usage and reservations.</summary>
    Task<QuotaStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>What these uploads would need and which fit.</summary>
    Task<QuotaPreview> PreviewAsync(IReadOnlyList<PlannedUpload> files, CancellationToken cancellationToken = default);
}

/// <summary>A user's account.</summary>
public interface ILockerAccount
{
    /// <summary>The account (plan, override, history flag).</summary>
    Task<LockerUser> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>Moves the user to another plan.</summary>
    Task<QuotaStatus> SetPlanAsync(string planId, long? overrideLimitBytes = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the account: the user's key is destroyed first (every stored object becomes unreadable at once, backups
    /// included), then the objects, the catalog, playlists, history, quota and upload sessions; a verification pass checks
    /// that nothing remains. Idempotent: run it again after a crash to finish. The user id cannot hold a new key afterwards.
    /// </summary>
    Task<AccountDeletionReport> DeleteAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the user used the locker (call it when the user signs in): resets the inactivity clock of retention and
    /// clears a retention warning. Uploads, downloads, plays and track listings record it too. At most one database write
    /// a day per user.
    /// </summary>
    Task RecordActivityAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes everything of the user into <paramref name="folder"/> (created; must be empty or new): the original files
    /// byte for byte under <c>music/</c>, each playlist as <c>playlists/{name}.m3u8</c>, and <c>catalog.json</c> and
    /// <c>history.json</c> (shapes in docs/architecture.md). File names come from tags, made safe for every file system.
    /// </summary>
    /// <exception cref="LockerException"><see cref="LockerErrorCode.InvalidArgument"/>: the folder is not empty; <see cref="LockerErrorCode.FileUnreadable"/>: it cannot be written.</exception>
    Task<ExportResult> ExportToFolderAsync(string folder, IProgress<ExportProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the same export as a ZIP archive to <paramref name="destination"/> (need not seek: an HTTP response body
    /// will do), streaming each entry; audio is stored, not deflated. The stream is left open.
    /// </summary>
    Task<ExportResult> ExportToZipAsync(Stream destination, IProgress<ExportProgress>? progress = null, CancellationToken cancellationToken = default);
}
