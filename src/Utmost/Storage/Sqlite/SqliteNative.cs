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

    public static SqliteException Error(sqlite3 db, int rc) =>
        new($"SQLite error {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}", rc);
}
