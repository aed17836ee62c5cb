using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Utmost.Storage.Sqlite;

/// <summary>
/// The few calls of SQLite's own API that the hot paths use (prepared statements bound by position), with
/// failures turned into the <see cref="SqliteException"/> the rest of the code expects.
/// </summary>
public static class SqliteNative
{
    public static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        return rc == raw.SQLITE_OK ? statement : throw Error(db, rc);
    }

    /// <summary>Runs a statement that returns no rows, and resets it for the next use.</summary>
    public static void Execute(sqlite3 db, sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            throw Error(db, rc);
        }
    }

    /// <summary>Binds a text, a whole number or null (any other type is a programming error).</summary>
    public static void Bind(sqlite3 db, sqlite3_stmt statement, int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(statement, index),
            long number => raw.sqlite3_bind_int64(statement, index, number),
            string text => raw.sqlite3_bind_text(statement, index, text),
            _ => throw new ArgumentException($"cannot bind a {value.GetType().Name}", nameof(value)),
        };
        if (rc != raw.SQLITE_OK)
        {
            throw Error(db, rc);
        }
    }

    /// <summary>
    /// Binds text through one reusable UTF-8 buffer: SQLite copies bound text (SQLITE_TRANSIENT), so every parameter
    /// can share it, where binding a .NET string allocates a UTF-8 copy per parameter per row. One per writer thread.
    /// </summary>
    public sealed class TextBinder
    {
        private byte[] _utf8 = new byte[16 * 1024];

        public void Bind(sqlite3_stmt statement, int index, string? value)
        {
            int rc;
            if (value is null)
            {
                rc = raw.sqlite3_bind_null(statement, index);
            }
            else
            {
                if (System.Text.Encoding.UTF8.GetMaxByteCount(value.Length) > _utf8.Length)
                {
                    _utf8 = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(value.Length)];
                }
                var length = System.Text.Encoding.UTF8.GetBytes(value, _utf8);
                rc = raw.sqlite3_bind_text(statement, index, _utf8.AsSpan(0, length));
            }
            if (rc != raw.SQLITE_OK)
            {
                throw new SqliteException($"Binding parameter {index} failed with SQLite code {rc}.", rc);
            }
        }

        /// <summary>A text, a whole number or null.</summary>
        public void Bind(sqlite3 db, sqlite3_stmt statement, int index, object? value)
        {
            if (value is string text)
            {
                Bind(statement, index, text);
            }
            else
            {
                SqliteNative.Bind(db, statement, index, value);
            }
        }
    }

    /// <summary>A query's single whole-number answer (through ADO.NET: for state and counts, not hot paths).</summary>
    public static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static SqliteException Error(sqlite3 db, int rc) =>
        new($"SQLite error {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}", rc);
}
