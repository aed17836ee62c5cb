using Utmost.Storage.Sqlite;

namespace Utmost.Sessions;

/// <summary>
/// The session builder's own SQLite file, sessions.db beside utmost.db (see Storage/SqliteSessions/Migrations):
/// the builder writes there often, and writes to the events file would stall ingestion's single writer and make
/// it drop its page cache each time (measured in bench/).
/// </summary>
public sealed class SessionsDatabase(string dataDir)
{
    public const string FileName = "sessions.db";

    public SqliteDatabase Database { get; } = new(dataDir, FileName);
}
