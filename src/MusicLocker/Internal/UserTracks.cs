using System.Runtime.CompilerServices;
using MusicLocker.Diagnostics;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

internal sealed class UserTracks(LockerCore core, string userId) : ILockerTracks
{
    private readonly TrackCovers _covers = new(core, userId);

    private const string TrackListing = "tracks";
    private const int DefaultPage = 200;

    public async IAsyncEnumerable<LockerTrack> ListAsync(TrackQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = query ?? new TrackQuery { PageSize = DefaultPage };
        while (true)
        {
            var result = await GetPageAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var track in result.Items)
            {
                yield return track;
            }

            if (result.NextCursor is null)
            {
                yield break;
            }

            page = page with { Cursor = result.NextCursor };
        }
    }

    public Task<LockerPage<LockerTrack>> GetPageAsync(TrackQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        string listing = TrackListing + "/" + query.Sort;
        return Paged(listing, query.Cursor, async inner =>
        {
            await core.Activity.TouchAsync(userId, cancellationToken).ConfigureAwait(false);
            var page = await core.Metadata.Tracks.BrowsePageAsync(userId, query with { Cursor = inner }, cancellationToken).ConfigureAwait(false);
            return new LockerPage<LockerTrack>(page.Items.Select(LockerTrack.From).ToArray(), LockerCursor.Wrap(userId, listing, page.NextCursor));
        });
    }

    public async Task<LockerTrack> GetAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerTrack.From(await GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false));

    public Task<TrackDetails> GetDetailsAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () => (await GetInfoAsync(trackId, cancellationToken).ConfigureAwait(false)).Info.ToDetails());

    public IAsyncEnumerable<LockerTrack> SearchAsync(string text, CancellationToken cancellationToken = default) =>
        Enumerate("search", async cursor =>
        {
            var page = await core.Metadata.Tracks.SearchPageAsync(userId, text, DefaultPage, cursor, cancellationToken).ConfigureAwait(false);
            return ((IReadOnlyList<LockerTrack>)page.Items.Select(LockerTrack.From).ToArray(), page.NextCursor);
        }, cancellationToken);

    public IAsyncEnumerable<AlbumSummary> ListAlbumsAsync(CancellationToken cancellationToken = default) =>
        Enumerate("albums", async cursor =>
        {
            var page = await core.Metadata.Tracks.ListAlbumsPageAsync(userId, DefaultPage, cursor, cancellationToken).ConfigureAwait(false);
            return ((IReadOnlyList<AlbumSummary>)page.Items, page.NextCursor);
        }, cancellationToken);

    public IAsyncEnumerable<ArtistSummary> ListArtistsAsync(CancellationToken cancellationToken = default) =>
        Enumerate("artists", async cursor =>
        {
            var page = await core.Metadata.Tracks.ListArtistsPageAsync(userId, DefaultPage, cursor, cancellationToken).ConfigureAwait(false);
            return ((IReadOnlyList<ArtistSummary>)page.Items, page.NextCursor);
        }, cancellationToken);

    public IAsyncEnumerable<GenreSummary> ListGenresAsync(CancellationToken cancellationToken = default) =>
        Enumerate("genres", async cursor =>
        {
            var page = await core.Metadata.Tracks.ListGenresPageAsync(userId, DefaultPage, cursor, cancellationToken).ConfigureAwait(false);
            return ((IReadOnlyList<GenreSummary>)page.Items, page.NextCursor);
        }, cancellationToken);

    public Task<LockerTrack> UpdateTagsAsync(Guid trackId, TrackTags tags, CancellationToken cancellationToken = default) =>
        LockerErrors.Guard(async () => LockerTrack.From(await core.Metadata.Tracks.UpdateTagsAsync(userId, trackId, tags, cancellationToken).ConfigureAwait(false)));

    public Task SetCoverArtAsync(Guid trackId, ReadOnlyMemory<byte> picture, string mimeType, CancellationToken cancellationToken = default) =>
        LockerTelemetry.TraceAsync("set_cover", userId, () => LockerErrors.Guard(() => _covers.SetAsync(trackId, picture, mimeType, cancellationToken)));

    public Task RemoveCoverArtAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerTelemetry.TraceAsync("remove_cover", userId, () => LockerErrors.Guard(() => _covers.RemoveAsync(trackId, cancellationToken)));

    public Task RestoreCoverArtAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerTelemetry.TraceAsync("restore_cover", userId, () => LockerErrors.Guard(() => _covers.RestoreAsync(trackId, cancellationToken)));

    public Task DeleteAsync(Guid trackId, CancellationToken cancellationToken = default) =>
        LockerTelemetry.TraceAsync("delete_track", userId, () => LockerErrors.Guard(async () =>
        {
            // Catalog first (with playlists, plays and quota, in one transaction): a crash after it leaves only an
            // unreferenced object, which the sweep removes; never a track whose bytes are gone.
            var removal = await core.Metadata.Tracks.RemoveTrackAsync(userId, trackId, cancellationToken).ConfigureAwait(false);
            if (!removal.StorageKeyStillReferenced)
            {
                var key = BlobKey.Parse(removal.Track.StorageKey);
                await core.Objects.DeleteAsync(key, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                await core.Objects.DeleteAsync(LockerKeys.Info(key), cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }

            await _covers.DeleteQuietlyAsync(removal.CoverStorageKey).ConfigureAwait(false);
        }));

    internal string UserId => userId;

    internal TrackCovers Covers => _covers;

    /// <summary>One keyset page of a search (the implementation of <see cref="ILockerLibrary.SearchPageAsync"/>).</summary>
    internal Task<LockerPage<LockerTrack>> SearchPageAsync(string text, int pageSize, string? cursor, CancellationToken cancellationToken) =>
        Paged("search", cursor, async inner =>
        {
            var page = await core.Metadata.Tracks.SearchPageAsync(userId, text, pageSize, inner, cancellationToken).ConfigureAwait(false);
            return new LockerPage<LockerTrack>(page.Items.Select(LockerTrack.From).ToArray(), LockerCursor.Wrap(userId, "search", page.NextCursor));
        });

    /// <summary>One keyset page of an album list (the implementation of <see cref="ILockerLibrary.GetAlbumPageAsync"/>).</summary>
    internal Task<LockerPage<AlbumEntry>> AlbumPageAsync(AlbumListQuery query, CancellationToken cancellationToken) =>
        Paged("album-list", query.Cursor, async inner =>
        {
            var page = await core.Metadata.Library.ListAlbumPageAsync(userId, query with { Cursor = inner }, cancellationToken).ConfigureAwait(false);
            return new LockerPage<AlbumEntry>(page.Items, LockerCursor.Wrap(userId, "album-list", page.NextCursor));
        });

    /// <summary>Whether the user's catalog has track <paramref name="trackId"/>.</summary>
    internal async Task<bool> ExistsAsync(Guid trackId, CancellationToken cancellationToken)
    {
        try
        {
            await GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (LockerException ex) when (ex.ErrorCode == LockerErrorCode.TrackNotFound)
        {
            return false;
        }
    }

    internal Task<TrackRecord> GetRecordAsync(Guid trackId, CancellationToken cancellationToken) =>
        LockerErrors.Guard(() => core.Metadata.Tracks.GetTrackAsync(userId, trackId, cancellationToken));

    internal async Task<(TrackRecord Record, StoredTrackInfo Info)> GetInfoAsync(Guid trackId, CancellationToken cancellationToken)
    {
        var record = await GetRecordAsync(trackId, cancellationToken).ConfigureAwait(false);
        var info = await LockerDocuments.ReadAsync<StoredTrackInfo>(core.Objects, LockerKeys.Info(BlobKey.Parse(record.StorageKey)), cancellationToken).ConfigureAwait(false);
        return (record, info);
    }

    private Task<T> Paged<T>(string listing, string? cursor, Func<string?, Task<T>> call) =>
        LockerErrors.Guard(async () =>
        {
            string? inner = LockerCursor.Unwrap(userId, listing, cursor);
            try
            {
                return await call(inner).ConfigureAwait(false);
            }
            catch (MetadataArgumentException ex) when (inner is not null && ex.ParameterName.Contains("cursor", StringComparison.OrdinalIgnoreCase))
            {
                throw new LockerException(LockerErrorCode.InvalidCursor, "The cursor is not valid for this listing; start from the first page.", ex);
            }
        });

    private async IAsyncEnumerable<T> Enumerate<T>(string listing, Func<string?, Task<(IReadOnlyList<T> Items, string? Next)>> page, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (items, next) = await Paged(listing, LockerCursor.Wrap(userId, listing, cursor), page).ConfigureAwait(false);
            foreach (var item in items)
            {
                yield return item;
            }

            if (next is null)
            {
                yield break;
            }

            cursor = next;
        }
    }
}
