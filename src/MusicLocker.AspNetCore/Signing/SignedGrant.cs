namespace MusicLocker.AspNetCore;

/// <summary>What a signed token lets its holder do.</summary>
public enum SignedAccess
{
    /// <summary>Nothing (never signed).</summary>
    Unknown = 0,

    /// <summary>Play: GET/HEAD of the stream endpoint (ranges, time seeks).</summary>
    Stream = 1,

    /// <summary>Play and download (<c>Content-Disposition: attachment</c>).</summary>
    Download = 2,
}

/// <summary>What a signed token names.</summary>
public enum SignedResource
{
    /// <summary>Nothing (never signed).</summary>
    Unknown = 0,

    /// <summary>One track.</summary>
    Track = 1,

    /// <summary>A playlist: each of its tracks, and its entry list.</summary>
    Playlist = 2,
}

/// <summary>The signed content of a token: one user's track or playlist, what may be done with it, and until when.</summary>
/// <param name="UserId">The user whose locker holds the resource (the token acts as that user for this resource only).</param>
/// <param name="Resource">A track or a playlist.</param>
/// <param name="ResourceId">Its id.</param>
/// <param name="Access">Stream, or stream and download.</param>
/// <param name="ExpiresAt">The first instant at which the token is refused.</param>
public sealed record SignedGrant(string UserId, SignedResource Resource, Guid ResourceId, SignedAccess Access, DateTimeOffset ExpiresAt);

/// <summary>Why a token was refused (all answer 403; the reason is logged and counted, never sent).</summary>
public enum TokenRejection
{
    /// <summary>Not refused.</summary>
    None = 0,

    /// <summary>Not a token: wrong shape, too long, bad base64, unknown version.</summary>
    Malformed,

    /// <summary>Signed with a key id this server does not hold (retired, or forged).</summary>
    UnknownKey,

    /// <summary>The signature does not match (tampered).</summary>
    BadSignature,

    /// <summary>Past its expiry.</summary>
    Expired,

    /// <summary>Valid, but for another resource than the one asked.</summary>
    WrongResource,

    /// <summary>Valid, but it does not allow what was asked (a stream token used to download).</summary>
    WrongPermission,
}
