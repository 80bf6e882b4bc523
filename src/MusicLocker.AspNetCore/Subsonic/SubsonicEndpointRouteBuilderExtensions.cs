using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MusicLocker;
using MusicLocker.AspNetCore.Subsonic;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Subsonic/OpenSubsonic API over a locker.</summary>
public static class SubsonicEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the Subsonic API 1.16.1 with the OpenSubsonic extensions at <c>{prefix}/{method}</c> and
    /// <c>{prefix}/{method}.view</c> (GET and POST form), for players such as Symfonium, DSub and Feishin. Each request is
    /// scoped to the authenticated user's locker. The locker is <paramref name="locker"/>, else the <see cref="ILocker"/>
    /// registered in DI; options are copied now (later changes have no effect).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static IEndpointConventionBuilder MapSubsonic(this IEndpointRouteBuilder endpoints, SubsonicOptions? options = null, ILocker? locker = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var settings = new SubsonicSettings(options ?? new SubsonicOptions(), services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
        var server = new SubsonicServer(locker ?? services.GetRequiredService<ILocker>(), settings);
        return endpoints.MapMethods(settings.RoutePrefix + "/{method}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Head],
            (HttpContext context, string method) => server.HandleAsync(context, method));
    }
}
