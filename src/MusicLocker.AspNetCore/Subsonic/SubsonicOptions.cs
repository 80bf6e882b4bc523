namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>How <c>MapSubsonic</c> serves the Subsonic/OpenSubsonic API.</summary>
public sealed class SubsonicOptions
{
    /// <summary>
    /// Accept legacy <c>u</c>+<c>p</c> (the app password in clear or <c>enc:</c> hex) — only over HTTPS in production: the
    /// password travels in the URL. Off by default; API keys (<c>apiKey</c>) are always accepted.
    /// </summary>
    public bool EnablePasswordAuth { get; set; }

    /// <summary>Accept legacy <c>u</c>+<c>t</c>+<c>s</c> (MD5 of the app password and a salt). Off by default.</summary>
    public bool EnableTokenAuth { get; set; }

    /// <summary>
    /// Maps a Subsonic username (<c>u</c>) to a locker user id; <see langword="null"/> means no such user. The default is the
    /// identity (the username is the user id).
    /// </summary>
    public Func<string, CancellationToken, ValueTask<string?>>? ResolveUser { get; set; }

    /// <summary>Failed authentications allowed per username and per client address within <see cref="FailureWindow"/> (default 10).</summary>
    public int MaxFailedAttempts { get; set; } = 10;

    /// <summary>The window failed attempts are counted in (default 5 minutes); a refused client may try again when it has passed.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock of the failure window (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>The <c>serverVersion</c> answered (default the package's version).</summary>
    public string? ServerVersion { get; set; }

    /// <summary>How <c>stream</c> and <c>download</c> read from storage (chunking, read-ahead, redirects); default <see cref="TrackResponderOptions"/>.</summary>
    public TrackResponderOptions? Streaming { get; set; }

    /// <summary>The route prefix (default <c>/rest</c>).</summary>
    public string RoutePrefix { get; set; } = "/rest";
}
