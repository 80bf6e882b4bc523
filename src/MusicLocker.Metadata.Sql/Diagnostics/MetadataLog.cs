using Microsoft.Extensions.Logging;

namespace MusicLocker.Metadata.Sql.Diagnostics;

/// <summary>The metadata area's log messages (EventIds 4000–4999). Never logs tags, names or other user content.</summary>
internal static partial class MetadataLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Metadata schema migrated from version {FromVersion} to {ToVersion}.")]
    public static partial void SchemaMigrated(ILogger logger, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Metadata schema is at version {Version}; nothing to migrate.")]
    public static partial void SchemaCurrent(ILogger logger, int version);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Metadata transaction {Operation} hit a transient database failure (attempt {Attempt} of {MaxAttempts}); retrying in {DelayMs} ms.")]
    public static partial void TransactionRetry(ILogger logger, Exception exception, string operation, int attempt, int maxAttempts, long delayMs);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "Metadata operation {Operation} failed: the database is unavailable.")]
    public static partial void DatabaseUnavailable(ILogger logger, Exception exception, string operation);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Quota refused for user {UserId}: {NeededBytes} bytes needed, {AvailableBytes} of {LimitBytes} free on plan {PlanId}.")]
    public static partial void QuotaRejected(ILogger logger, string userId, long neededBytes, long availableBytes, long limitBytes, string planId);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "User {UserId} is stored on plan {PlanId}, which the plan catalog no longer defines; the user gets no quota until moved to a defined plan.")]
    public static partial void UndefinedPlan(ILogger logger, string userId, string planId);
}
