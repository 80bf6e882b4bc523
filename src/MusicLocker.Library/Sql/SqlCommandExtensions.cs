using System.Data;
using System.Data.Common;

namespace MusicLocker.Library.Sql;

/// <summary>
/// Fluent commands: <c>conn.Sql(tx, "...").With("u", id).ExecAsync(ct)</c>. Parameters are named <c>@name</c>, which both
/// Microsoft.Data.Sqlite and Npgsql accept. Each terminal method disposes its command.
/// </summary>
internal static class SqlCommandExtensions
{
    public static DbCommand Sql(this DbConnection connection, DbTransaction? transaction, string text)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        return command;
    }

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

    public static async Task<int> ExecAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        using (command)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

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

    public static string? GetNullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? GetNullableInt32(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    public static long? GetNullableInt64(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static bool? GetNullableBoolean(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetBoolean(ordinal);

    public static Guid? GetNullableGuid(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    public static DateTimeOffset GetTime(this DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
