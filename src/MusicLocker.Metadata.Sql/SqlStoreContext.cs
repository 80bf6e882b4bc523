using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MusicLocker.Metadata.Quota;
using MusicLocker.Metadata.Sql.Diagnostics;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// What every part of the SQL engine shares: the dialect, a copy of the options (plans, clock, lifetime, ownership rule,
/// logger) taken when the store opens, and the connection/transaction/telemetry scaffolding.
/// </summary>
internal sealed class SqlStoreContext
{
    /// <summary>How many times a transaction runs before a transient failure is reported.</summary>
    internal const int MaxTransientAttempts = 5;

    /// <summary>The ceiling of the first retry's delay; each later retry doubles it.</summary>
    internal static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(20);

    private readonly Func<string, string> _storageKeyPrefix;

    public SqlStoreContext(SqlDialect dialect, LockerMetadataOptions options)
    {
        Dialect = dialect;
        Plans = options.Plans;
        Time = options.TimeProvider;
        ReservationLifetime = options.ReservationLifetime;
        _storageKeyPrefix = options.StorageKeyPrefix;
        Logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("MusicLocker.Metadata");
    }

    public ILogger Logger { get; }

    public SqlDialect Dialect { get; }

    public QuotaPlanCatalog Plans { get; }

    public TimeProvider Time { get; }

    public TimeSpan ReservationLifetime { get; }

    /// <summary>Times are stored as Unix milliseconds: one integer type in both databases, and indexes compare them cheaply.</summary>
    public long NowMs() => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The storage key prefix the (validated) user owns: the one ownership rule, from the options.</summary>
    public string StorageKeyPrefix(string userId)
    {
        string prefix = _storageKeyPrefix(userId);
        return string.IsNullOrEmpty(prefix)
            ? throw new InvalidOperationException($"LockerMetadataOptions.StorageKeyPrefix returned no prefix for user '{userId}'; every user needs a prefix of their own.")
            : prefix;
    }

    /// <summary>
    /// The plan a stored user is on. A plan id the catalog no longer defines (the app removed the plan) does not fail the
    /// operation: the user is on a placeholder plan with a limit of 0 bytes, so nothing new can be reserved or charged
    /// (a per-user override still applies) while removing tracks, reading status and moving the user to a defined plan
    /// with <see cref="IQuotaLedger.SetPlanAsync"/> keep working. A warning is logged each time.
    /// </summary>
    public QuotaPlan StoredPlan(string userId, string planId)
    {
        if (Plans.TryGet(planId, out var plan))
        {
            return plan;
        }

        MetadataLog.UndefinedPlan(Logger, userId, planId);
        return new QuotaPlan(planId, $"Undefined plan '{planId}'", 0);
    }

    /// <summary>Migrates the schema through the dialect, inside a <c>metadata.migrate</c> span, and logs what it did.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var migration = await MetadataTelemetry.TraceAsync("migrate", null, () => Dialect.MigrateAsync(cancellationToken)).ConfigureAwait(false);
        if (migration.Migrated)
        {
            MetadataLog.SchemaMigrated(Logger, migration.FromVersion, migration.ToVersion);
        }
        else
        {
            MetadataLog.SchemaCurrent(Logger, migration.ToVersion);
        }
    }

    /// <summary>Counts and logs a quota refusal; the operation's span records it as its failure (<c>error.type</c> QuotaExceeded).</summary>
    public QuotaExceededException Rejected(QuotaExceededException exception)
    {
        MetadataTelemetry.QuotaRejections.Add(1);
        MetadataLog.QuotaRejected(Logger, exception.UserId, exception.NeededBytes, exception.AvailableBytes, exception.LimitBytes, exception.Plan.Id);
        return exception;
    }

    /// <summary>Refuses a plan id the store's plan catalog does not hold.</summary>
    public void RequireKnownPlan(string? planId, string parameter)
    {
        MetadataInput.Identifier(planId, parameter, MetadataLimits.MaxIdentifierLength);
        if (!Plans.TryGet(planId, out _))
        {
            throw MetadataInput.Invalid(parameter, $"No quota plan has the id '{planId}'. Known plans: {string.Join(", ", Plans.Plans.Select(p => p.Id))}.");
        }
    }

    /// <summary>Refuses a storage key outside the user's own prefix (see <see cref="LockerMetadataOptions.StorageKeyPrefix"/>).</summary>
    public void RequireOwnedKey(string userId, string? storageKey, string parameter) => MetadataInput.StorageKey(storageKey, StorageKeyPrefix(userId), parameter);

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        try
        {
            var connection = await Dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await work(connection).ConfigureAwait(false);
            }
        }
        catch (DbException exception)
        {
            throw Translate(exception, operation);
        }
        catch (EncoderFallbackException exception)
        {
            throw Unencodable(exception, operation);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, committed when it returns and rolled back when it throws. A
    /// serialization failure or deadlock reported by the database reruns the whole transaction, after a jittered,
    /// exponentially growing delay on the store's clock, so that the transactions that collided do not collide again.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        for (int attempt = 1; ; attempt++)
        {
            TimeSpan delay;
            try
            {
                return await WriteOnceAsync(work, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception) when (attempt < MaxTransientAttempts && Dialect.IsTransient(exception))
            {
                // The database chose this transaction as the victim; nothing of it was kept, so running it again is safe.
                delay = RetryDelay(attempt);
                MetadataLog.TransactionRetry(Logger, exception, operation, attempt, MaxTransientAttempts, (long)delay.TotalMilliseconds);
                Activity.Current?.AddEvent(new ActivityEvent("retry"));
            }
            catch (DbException exception)
            {
                throw Translate(exception, operation);
            }
            catch (EncoderFallbackException exception)
            {
                throw Unencodable(exception, operation);
            }

            await Task.Delay(delay, Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// "Equal jitter": half of the attempt's ceiling (<see cref="RetryBaseDelay"/> doubled per earlier attempt) plus a random
    /// part of the other half, so retries back off and competing ones spread apart, but never retry at once.
    /// </summary>
    internal static TimeSpan RetryDelay(int attempt)
    {
        long ceilingMs = (long)RetryBaseDelay.TotalMilliseconds << (attempt - 1);
        return TimeSpan.FromMilliseconds((ceilingMs / 2) + RandomNumberGenerator.GetInt32((int)(ceilingMs / 2) + 1));
    }

    /// <summary>
    /// Provider exceptions never leave the store: a uniqueness or foreign-key violation means a concurrent writer changed
    /// what this operation relied on (a conflict); a value the database cannot take (out of range, not encodable, too
    /// complex) is the caller's input, not transient; anything else is the database failing (unavailable).
    /// </summary>
    private LockerMetadataException Translate(DbException exception, string operation)
    {
        var translated = TranslateCore(exception, operation);
        if (translated.ErrorCode == MetadataErrorCode.Unavailable)
        {
            MetadataLog.DatabaseUnavailable(Logger, exception, operation);
        }

        return translated;
    }

    private LockerMetadataException TranslateCore(DbException exception, string operation)
    {
        if (Dialect.IsUniqueViolation(exception) || Dialect.IsForeignKeyViolation(exception))
        {
            return new MetadataConflictException($"{operation} conflicted with a concurrent change ({exception.Message}); nothing was changed. Read again and retry.", exception);
        }

        return Dialect.IsInvalidInput(exception)
            ? new MetadataArgumentException(operation, $"The database refused a value of {operation}: {exception.Message}. Nothing was changed.", exception)
            : new LockerMetadataException(MetadataErrorCode.Unavailable, $"The metadata database failed during {operation}: {exception.Message}", exception);
    }

    private static MetadataArgumentException Unencodable(EncoderFallbackException exception, string operation) =>
        new(operation, $"A text value of {operation} is not well-formed UTF-16 and cannot be stored. Nothing was changed.", exception);

    private async Task<T> WriteOnceAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await Dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var result = await work(connection, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }
}
