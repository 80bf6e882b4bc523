using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MusicLocker.AspNetCore;

/// <summary>Options of <see cref="MusicLockerEndpointRouteBuilderExtensions.MapMusicLocker"/>, copied and validated when the endpoints are mapped.</summary>
public sealed class MusicLockerEndpointOptions
{
    /// <summary>
    /// Who is asking: the app authenticates (cookies, JWT, …) and this returns the user id, or <see langword="null"/> for
    /// an anonymous request (401). Default: the <see cref="ClaimTypes.NameIdentifier"/> claim of <c>HttpContext.User</c>.
    /// Signed URLs and share links do not call it: the token names the user.
    /// </summary>
    public Func<HttpContext, string?>? UserIdResolver { get; set; }

    /// <summary>The locker; <see langword="null"/>: the <see cref="ILocker"/> registered in the app's services.</summary>
    public ILocker? Locker { get; set; }

    /// <summary>
    /// The keys of signed URLs and share links (the first signs, all verify: add a new key first, retire the old one after
    /// the longest token lifetime). Empty: the signed-URL and share endpoints are not mapped.
    /// </summary>
    public IList<UrlSigningKey> SigningKeys { get; } = new List<UrlSigningKey>();

    /// <summary>How long a signed stream URL works when the request does not say (1 hour by default).</summary>
    public TimeSpan SignedUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest lifetime a signed URL or share link may be given (30 days by default).</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Range reader, redirect-to-storage and cache options of the stream and download endpoints.</summary>
    public TrackResponderOptions Streaming { get; set; } = new();

    /// <summary>The largest upload request body in bytes (2 GiB by default; Kestrel's own 30 MB default is lifted to this for the upload endpoint).</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Catalog page size when the request does not say (50), and the largest it may ask for (500).</summary>
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>The clock of token expiry (<see cref="TimeProvider.System"/> by default).</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where the endpoints log (EventIds 7000–7499); <see langword="null"/>: the app's <see cref="ILoggerFactory"/>.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
