using Microsoft.Extensions.Logging;

namespace MusicLocker.Crypto.Diagnostics;

/// <summary>
/// The crypto layer's log messages (EventIds 2000–2999). They name owners, blob keys and versions, never key material
/// or plaintext; caller-supplied text is bounded.
/// </summary>
internal static partial class CryptoLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Rotated the user key of '{Owner}' to version {Version}; rewrapped {Objects} data keys ({Bytes} bytes written).")]
    public static partial void UserKeyRotated(ILogger logger, KeyOwner owner, int version, int objects, long bytes);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Purged {Versions} retired user key versions of '{Owner}' after rewrapping {Objects} data keys still under them.")]
    public static partial void RetiredUserKeysPurged(ILogger logger, KeyOwner owner, int versions, int objects);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Rotated the master key: rewrapped {Keys} user key versions of {Users} users.")]
    public static partial void MasterKeyRotated(ILogger logger, int users, int keys);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Destroyed the user key of '{Owner}': every object of the user is unreadable from now on.")]
    public static partial void UserKeyDestroyed(ILogger logger, KeyOwner owner);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Refused a key for '{Owner}': the user's key was destroyed.")]
    public static partial void DestroyedKeyRequested(ILogger logger, KeyOwner owner);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Left blob '{Key}' ({Length} bytes) out of a listing: no ciphertext has that length (not written through the encrypted store, or truncated).")]
    public static partial void ForeignBlobSkipped(ILogger logger, string key, long length);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Refused part {PartNumber} of an upload to '{Key}': it was sent before with other bytes.")]
    public static partial void PartConflictRefused(ILogger logger, string key, int partNumber);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Deleted {Count} part claims of multipart uploads that expired.")]
    public static partial void ExpiredUploadClaimsDeleted(ILogger logger, int count);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Skipped blob '{Key}' during a key rotation or purge: the owner mapping cannot map it to an owner.")]
    public static partial void UnmappedBlobSkipped(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Added master key version {Version} to key ring '{Path}'; it is now current.")]
    public static partial void MasterKeyVersionAdded(ILogger logger, int version, string path);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Removed master key version {Version} from key ring '{Path}'.")]
    public static partial void MasterKeyVersionRemoved(ILogger logger, int version, string path);


    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Skipped blob '{Key}' during a key rotation or purge: it is not an object of the encrypted store (no encryption metadata, or a length no ciphertext has).")]
    public static partial void ForeignBlobNotRewrapped(ILogger logger, string key, Exception exception);
}
