using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MusicLocker.Testing.Logging;

/// <summary>An <see cref="ILoggerFactory"/> that keeps every entry logged through it (event id, level, formatted message), for tests of an area's logs.</summary>
public sealed class RecordingLoggerFactory : ILoggerFactory
{
    /// <summary>Every entry, in the order logged.</summary>
    public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>How many entries have this event id.</summary>
    public int Count(int eventId) => Entries.Count(e => e.EventId == eventId);

    private sealed class Logger(RecordingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
    }
}
