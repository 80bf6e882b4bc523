using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using MusicLocker.Quota;

namespace MusicLocker.Library.Sql;

/// <summary>What every part of the SQL engine shares: the dialect, plans, clock, and the connection/transaction scaffolding.</summary>
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
    }

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

    /// <summary>Refuses a plan id the store's plan catalog does not hold.</summary>
    public void RequireKnownPlan(string? planId, string parameter)
    {
        MetadataInput.Identifier(planId, parameter, MetadataLimits.MaxIdentifierLength);
        if (!Plans.Contains(planId))
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
            try
            {
                return await WriteOnceAsync(work, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception) when (attempt < MaxTransientAttempts && Dialect.IsTransient(exception))
            {
                // The database chose this transaction as the victim; nothing of it was kept, so running it again is safe.
            }
            catch (DbException exception)
            {
                throw Translate(exception, operation);
            }
            catch (EncoderFallbackException exception)
            {
                throw Unencodable(exception, operation);
            }

            await Task.Delay(RetryDelay(attempt), Time, cancellationToken).ConfigureAwait(false);
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
