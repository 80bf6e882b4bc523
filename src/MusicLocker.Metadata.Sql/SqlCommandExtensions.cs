using System.Data;
using System.Data.Common;

namespace MusicLocker.Metadata.Sql;

/// <summary>
/// Fluent ADO.NET commands the engine and its providers' migrations share: <c>conn.Sql(tx, "...").With("u", id).ExecAsync(ct)</c>.
/// Parameters are named <c>@name</c>, which Microsoft.Data.Sqlite and Npgsql both accept. Each terminal method disposes
/// its command. Times are stored as Unix milliseconds (<see cref="GetTime"/>).
/// </summary>
public static class SqlCommandExtensions
{
    /// <summary>A command on <paramref name="connection"/> in <paramref name="transaction"/> (none when null).</summary>
    public static DbCommand Sql(this DbConnection connection, DbTransaction? transaction, string text)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        return command;
    }

    /// <summary>Adds parameter <c>@<paramref name="name"/></c> (a <see cref="ReadOnlyMemory{T}"/> of bytes becomes a byte array).</summary>
    public static DbCommand With(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value switch
        {
            ReadOnlyMemory<byte> memory => memory.ToArray(),
            _ => value,
        };
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>A parameter that may be null: its type is given so that PostgreSQL need not infer it from context.</summary>
    public static DbCommand WithNullable(this DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Executes the command; returns the rows affected.</summary>
    public static async Task<int> ExecAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        using (command)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every row, mapped.</summary>
    public static async Task<List<T>> ListAsync<T>(this DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        using (command)
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var list = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    list.Add(map(reader));
                }

                return list;
            }
        }
    }

    /// <summary>The first row mapped, or <paramref name="missing"/> when there is none.</summary>
    public static async Task<T> FirstAsync<T>(this DbCommand command, Func<DbDataReader, T> map, T missing, CancellationToken cancellationToken)
    {
        using (command)
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? map(reader) : missing;
            }
        }
    }

    /// <summary>A single integer (COUNT, SUM cast to BIGINT); zero for no row or NULL.</summary>
    public static async Task<long> Int64Async(this DbCommand command, CancellationToken cancellationToken)
    {
        using (command)
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The column as a string, or null.</summary>
    public static string? GetNullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>The column as an integer, or null.</summary>
    public static int? GetNullableInt32(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    /// <summary>The column as a 64-bit integer, or null.</summary>
    public static long? GetNullableInt64(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>The column as a boolean, or null.</summary>
    public static bool? GetNullableBoolean(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetBoolean(ordinal);

    /// <summary>The column as a GUID, or null.</summary>
    public static Guid? GetNullableGuid(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    /// <summary>The column (Unix milliseconds) as a time.</summary>
    public static DateTimeOffset GetTime(this DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
