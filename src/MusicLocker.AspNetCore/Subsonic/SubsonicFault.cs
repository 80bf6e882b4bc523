namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>A request the server answers with a Subsonic error (never escapes the endpoint).</summary>
internal sealed class SubsonicFault(SubsonicErrorCode code, string message) : Exception(message)
{
    public SubsonicErrorCode Code { get; } = code;

    /// <summary>Set when the client is refused for too many failures: answered with 429 and Retry-After.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Set when the asked format itself is unusable (a bad JSONP callback): answered in this format instead.</summary>
    public SubsonicFormat? Format { get; init; }

    public static SubsonicFault Missing(string parameter) => new(SubsonicErrorCode.MissingParameter, $"Required parameter '{parameter}' is missing.");

    public static SubsonicFault NotFound(string what) => new(SubsonicErrorCode.NotFound, what + " not found.");

    public static SubsonicFault Invalid(string parameter, string value) => new(SubsonicErrorCode.Generic, $"Parameter '{parameter}' has an invalid value '{Shorten(value)}'.");

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
