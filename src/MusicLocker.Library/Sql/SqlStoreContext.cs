using System.Data.Common;
using System.Runtime.CompilerServices;
using MusicLocker.Quota;

namespace MusicLocker.Library.Sql;

/// <summary>What every part of the SQL engine shares: the dialect, plans, clock, and the connection/transaction scaffolding.</summary>
internal sealed class SqlStoreContext
{
    private const int MaxTransientRetries = 5;

    /// <summary>How many times a transaction runs before a transient failure is reported.</summary>
    internal const int MaxTransientAttempts = MaxTransientRetries;

    /// <summary>The ceiling of the first retry's delay; each later retry doubles it.</summary>
    internal static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(20);

    public SqlStoreContext(SqlDialect dialect, LockerMetadataOptions options)
    {
        Dialect = dialect;
        Plans = options.Plans;
        Time = options.TimeProvider;
        ReservationLifetime = options.ReservationLifetime;
    }

    public SqlDialect Dialect { get; }

    public QuotaPlanCatalog Plans { get; }

    public TimeProvider Time { get; }

    public TimeSpan ReservationLifetime { get; }

    /// <summary>Times are stored as Unix milliseconds: one integer type in both databases, and indexes compare them cheaply.</summary>
    public long NowMs() => Time.GetUtcNow().ToUnixTimeMilliseconds();

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
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, committed when it returns and rolled back when it throws. A
    /// serialization failure or deadlock reported by the database reruns the whole transaction.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await WriteOnceAsync(work, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception) when (attempt < MaxTransientRetries && Dialect.IsTransient(exception))
            {
                // The database chose this transaction as the victim; nothing of it was kept, so running it again is safe.
            }
            catch (DbException exception)
            {
                throw Translate(exception, operation);
            }
        }
    }

    /// <summary>
    /// Provider exceptions never leave the store: a uniqueness or foreign-key violation means a concurrent writer changed
    /// what this operation relied on (a conflict); anything else is the database failing (unavailable).
    /// </summary>
    private LockerMetadataException Translate(DbException exception, string operation) =>
        Dialect.IsUniqueViolation(exception) || Dialect.IsForeignKeyViolation(exception)
            ? new MetadataConflictException($"{operation} conflicted with a concurrent change ({exception.Message}); nothing was changed. Read again and retry.", exception)
            : new LockerMetadataException(MetadataErrorCode.Unavailable, $"The metadata database failed during {operation}: {exception.Message}", exception);

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

    public static void ValidateUserId(string userId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        if (userId.Length > 200)
        {
            throw new ArgumentException($"A user id is at most 200 characters (got {userId.Length}).", nameof(userId));
        }

        foreach (char c in userId)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("A user id cannot contain control characters.", nameof(userId));
            }
        }
    }

    public static void ValidateName(string name, string paramName)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 500)
        {
            throw new ArgumentException($"A name must be 1 to 500 characters and not blank (got {name?.Length ?? 0}).", paramName);
        }
    }

    public static void ValidatePageSize(int pageSize, string paramName)
    {
        if (pageSize is < 1 or > TrackQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(paramName, pageSize, $"A page holds 1 to {TrackQuery.MaxPageSize} items.");
        }
    }
}
