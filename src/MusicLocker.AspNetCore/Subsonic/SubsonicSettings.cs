using System.Reflection;
using Microsoft.Extensions.Logging;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>A validated copy of <see cref="SubsonicOptions"/>, taken when the endpoints are mapped (later changes have no effect).</summary>
internal sealed class SubsonicSettings
{
    public SubsonicSettings(SubsonicOptions options, ILoggerFactory loggers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFailedAttempts, 1, "options.MaxFailedAttempts");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FailureWindow, TimeSpan.Zero, "options.FailureWindow");
        if (string.IsNullOrEmpty(options.RoutePrefix) || options.RoutePrefix[0] != '/')
        {
            throw new ArgumentOutOfRangeException("options.RoutePrefix", options.RoutePrefix, "A route prefix starts with '/'.");
        }

        EnablePasswordAuth = options.EnablePasswordAuth;
        EnableTokenAuth = options.EnableTokenAuth;
        ResolveUser = options.ResolveUser ?? (static (name, _) => ValueTask.FromResult<string?>(name));
        MaxFailedAttempts = options.MaxFailedAttempts;
        FailureWindow = options.FailureWindow;
        Time = options.TimeProvider ?? TimeProvider.System;
        ServerVersion = options.ServerVersion
            ?? typeof(SubsonicSettings).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? "1.0.0";
        RoutePrefix = options.RoutePrefix.TrimEnd('/');
        Logger = loggers.CreateLogger("MusicLocker.AspNetCore.Subsonic");
        LoggerFactory = loggers;
        Streaming = options.Streaming;
    }

    public ILoggerFactory LoggerFactory { get; }

    public TrackResponderOptions? Streaming { get; }

    public bool EnablePasswordAuth { get; }

    public bool EnableTokenAuth { get; }

    public Func<string, CancellationToken, ValueTask<string?>> ResolveUser { get; }

    public int MaxFailedAttempts { get; }

    public TimeSpan FailureWindow { get; }

    public TimeProvider Time { get; }

    public string ServerVersion { get; }

    public string RoutePrefix { get; }

    public ILogger Logger { get; }
}
