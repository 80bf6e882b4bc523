namespace MusicLocker.Metadata;

/// <summary>A cover picture a user set for a track, stored as its own object (never inside the track's file).</summary>
/// <param name="StorageKey">The key the picture is stored under (under the user's storage prefix).</param>
/// <param name="MimeType">Its MIME type (<c>image/jpeg</c> or <c>image/png</c>).</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="Sha256">The SHA-256 of its bytes, lowercase hex.</param>
public sealed record CoverPicture(string StorageKey, string MimeType, long Length, string Sha256);
