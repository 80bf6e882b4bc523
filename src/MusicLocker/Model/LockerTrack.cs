using MusicLocker.Metadata;

namespace MusicLocker;

/// <summary>A track in a user's locker, as the catalog holds it (where its bytes are stored is the locker's business).</summary>
/// <param name="Id">The track id.</param>
/// <param name="Tags">Its tags (as read from the file, or as the user edited them).</param>
/// <param name="Duration">Its exact playable duration (gapless: encoder delay and padding removed).</param>
/// <param name="Codec">Its codec (<c>mp3</c>, <c>aac</c>).</param>
/// <param name="BitrateKbps">Its average bitrate in kbit/s.</param>
/// <param name="SizeBytes">The size of the file as uploaded (what a download returns).</param>
/// <param name="ChargedBytes">What it counts against the quota: its size, or zero when purchased or a duplicate.</param>
/// <param name="ContentHash">SHA-256 of the whole file, lower-case hex.</param>
/// <param name="AudioHash">XXH128 (xxHash, 128 bits, seed 0; the canonical big-endian digest <c>xxhsum -H2</c> prints) of the audio payload alone (tags excluded), 32 lower-case hex digits: a fingerprint that finds retagged copies, trusted only after a byte comparison (docs/architecture.md, "Dedup"). Tracks stored before it carry a SHA-256 (64 digits).</param>
/// <param name="IsPurchased">Whether the app marked it purchased.</param>
/// <param name="AddedAt">When it was catalogued.</param>
public sealed record LockerTrack(
    Guid Id,
    TrackTags Tags,
    TimeSpan Duration,
    string Codec,
    int BitrateKbps,
    long SizeBytes,
    long ChargedBytes,
    string ContentHash,
    string AudioHash,
    bool IsPurchased,
    DateTimeOffset AddedAt)
{
    internal static LockerTrack From(TrackRecord record) => new(
        record.Id,
        record.Tags,
        record.Duration,
        record.Codec,
        record.BitrateKbps,
        record.SizeBytes,
        record.ChargedBytes,
        record.ContentHash,
        record.AudioHash,
        record.IsPurchased,
        record.AddedAt);
}

/// <summary>One page of a locker listing.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items.</param>
/// <param name="NextCursor">Pass it back for the next page (only to the same listing of the same user); <see langword="null"/> on the last page.</param>
public sealed record LockerPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>A track's entry in a playlist.</summary>
/// <param name="EntryId">The entry id (a track may be in a playlist twice).</param>
/// <param name="Index">Its position, from 0.</param>
/// <param name="Track">The track.</param>
/// <param name="AddedAt">When it was added.</param>
public sealed record LockerPlaylistEntry(Guid EntryId, int Index, LockerTrack Track, DateTimeOffset AddedAt);

/// <summary>One play of a track.</summary>
/// <param name="Track">The track.</param>
/// <param name="PlayedAt">When it was played.</param>
public sealed record LockerPlay(LockerTrack Track, DateTimeOffset PlayedAt);

/// <summary>How often a track was played.</summary>
/// <param name="Track">The track.</param>
/// <param name="PlayCount">Its plays.</param>
/// <param name="LastPlayedAt">Its last play.</param>
public sealed record LockerPlayCount(LockerTrack Track, long PlayCount, DateTimeOffset LastPlayedAt);
