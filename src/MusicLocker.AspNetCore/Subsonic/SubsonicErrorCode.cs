namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>The Subsonic API's error codes (with the OpenSubsonic additions), as answered in <c>subsonic-response/error/@code</c>.</summary>
public enum SubsonicErrorCode
{
    /// <summary>A generic error (a bad value, an unknown method or list type).</summary>
    Generic = 0,

    /// <summary>A required parameter is missing.</summary>
    MissingParameter = 10,

    /// <summary>Incompatible protocol version: the client must upgrade.</summary>
    ClientMustUpgrade = 20,

    /// <summary>Incompatible protocol version: the server must upgrade.</summary>
    ServerMustUpgrade = 30,

    /// <summary>Wrong username or password (or token), or too many failed attempts.</summary>
    WrongCredentials = 40,

    /// <summary>Token authentication is not supported (not enabled by the app).</summary>
    TokenAuthNotSupported = 41,

    /// <summary>The authentication mechanism given is not supported (legacy password auth not enabled by the app).</summary>
    AuthMechanismNotSupported = 42,

    /// <summary>Conflicting authentication mechanisms were given (e.g. an API key and a username).</summary>
    ConflictingAuthMechanisms = 43,

    /// <summary>The API key is invalid (unknown or revoked).</summary>
    InvalidApiKey = 44,

    /// <summary>The user is not authorised for this operation.</summary>
    NotAuthorized = 50,

    /// <summary>The requested data was not found.</summary>
    NotFound = 70,
}
