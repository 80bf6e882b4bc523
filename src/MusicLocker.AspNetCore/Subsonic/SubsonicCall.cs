using Microsoft.AspNetCore.Http;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>One authenticated request: its parameters, the user's locker and the name the user signed in with.</summary>
internal sealed class SubsonicCall(HttpContext http, SubsonicParameters parameters, IUserLocker? user, string username)
{
    public HttpContext Http { get; } = http;

    public SubsonicParameters Parameters { get; } = parameters;

    public IUserLocker User => user ?? throw new InvalidOperationException("The method runs without authentication.");

    public string Username { get; } = username;

    public CancellationToken Aborted => Http.RequestAborted;
}
