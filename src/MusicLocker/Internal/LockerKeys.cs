using MusicLocker.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Storage;

namespace MusicLocker.Internal;

/// <summary>
/// The one place storage keys are made. Every key of a user lies under the metadata layer's default prefix
/// (<c>users/{userId}/</c>, <see cref="LockerMetadataOptions.DefaultStorageKeyPrefix"/>), which is also how the crypto layer
/// finds the key's owner:
/// <code>
/// users/{userId}/tracks/{objectId}        an uploaded file, as uploaded (encrypted)
/// users/{userId}/tracks/{objectId}.info   what the upload learned (TrackDetails, JSON, encrypted)
/// users/{userId}/uploads/{objectId}.json  an open upload's manifest: hashes and size, to check a resumed source (encrypted)
/// users/{userId}/covers/{objectId}        a cover picture the user set for a track (encrypted; the catalog's cover edit names it)
/// </code>
/// Callers never pass a key: ids come from the catalog of the user the locker is scoped to.
/// </summary>
internal static class LockerKeys
{
    public const string UsersPrefix = "users/";
    private const string Tracks = "tracks/";
    private const string Uploads = "uploads/";
    private const string Covers = "covers/";
    private const string InfoSuffix = ".info";
    private const string ManifestSuffix = ".json";

    public static string UserPrefix(string userId) => LockerMetadataOptions.DefaultStorageKeyPrefix(userId);

    public static BlobKey Audio(string userId, Guid objectId) => BlobKey.Parse(UserPrefix(userId) + Tracks + objectId.ToString("N"));

    public static BlobKey Cover(string userId, Guid objectId) => BlobKey.Parse(UserPrefix(userId) + Covers + objectId.ToString("N"));

    /// <summary>Whether the key is a cover picture's (kept while a cover edit names it).</summary>
    public static bool IsCover(string key) => UserOf(key) is { } user && key.AsSpan(UserPrefix(user).Length).StartsWith(Covers, StringComparison.Ordinal);

    public static BlobKey Info(BlobKey audio) => BlobKey.Parse(audio.Value + InfoSuffix);

    public static BlobKey Manifest(BlobKey audio) => BlobKey.Parse(audio.Value.Replace("/" + Tracks, "/" + Uploads, StringComparison.Ordinal) + ManifestSuffix);

    /// <summary>The audio key an object belongs to (itself, its info sidecar, or its upload manifest), or null for a key of no upload.</summary>
    public static string? AudioKeyOf(string key)
    {
        string? user = UserOf(key);
        if (user is null)
        {
            return null;
        }

        string rest = key[UserPrefix(user).Length..];
        if (rest.StartsWith(Tracks, StringComparison.Ordinal))
        {
            return rest.EndsWith(InfoSuffix, StringComparison.Ordinal) ? key[..^InfoSuffix.Length] : key;
        }

        if (rest.StartsWith(Uploads, StringComparison.Ordinal) && rest.EndsWith(ManifestSuffix, StringComparison.Ordinal))
        {
            return UserPrefix(user) + Tracks + rest[Uploads.Length..^ManifestSuffix.Length];
        }

        return null;
    }

    /// <summary>Whether the key is an upload manifest.</summary>
    public static bool IsManifest(string key) => key.EndsWith(ManifestSuffix, StringComparison.Ordinal) && key.Contains("/" + Uploads, StringComparison.Ordinal);

    /// <summary>The user a key belongs to, or null when it is not under <c>users/{id}/</c>.</summary>
    public static string? UserOf(string key)
    {
        if (!key.StartsWith(UsersPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        int slash = key.IndexOf('/', UsersPrefix.Length);
        return slash <= UsersPrefix.Length ? null : key[UsersPrefix.Length..slash];
    }

    /// <summary>Crypto's owner mapping: the key's user, in the locker's tenant.</summary>
    public static Func<BlobKey, KeyOwner> OwnerMapping(string tenantId) => key =>
        UserOf(key.Value) is { } user
            ? new KeyOwner(tenantId, user)
            : throw new LockerException(LockerErrorCode.InvalidArgument, $"The key '{key}' is not under users/{{userId}}/: the locker stores nothing else.");

    /// <summary>Checks a user id once, when a caller scopes the locker to it.</summary>
    public static void ValidateUserId(string userId)
    {
        if (UserIdError(userId) is { } error)
        {
            LockerErrors.ThrowInvalidArgument(nameof(userId), error);
        }
    }

    /// <summary>Whether a user id (one found in a storage key) is one the locker could have been scoped to.</summary>
    public static bool IsValidUserId(string userId) => UserIdError(userId) is null;

    private static string? UserIdError(string userId)
    {
        if (string.IsNullOrEmpty(userId) || userId.Length > MetadataLimits.MaxUserIdLength)
        {
            return $"A user id has 1 to {MetadataLimits.MaxUserIdLength} characters.";
        }

        foreach (char c in userId)
        {
            if (c == '/' || char.IsControl(c) || char.IsSurrogate(c))
            {
                return "A user id cannot contain '/', control characters or surrogates (it names the user's storage prefix users/{userId}/).";
            }
        }

        return userId is "." or ".." || !BlobKey.TryParse(UserPrefix(userId) + "x", out _, out _)
            ? "A user id must make a valid storage key segment (not '.' or '..')."
            : null;
    }
}
