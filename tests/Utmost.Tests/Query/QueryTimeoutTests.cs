using Utmost.Query;
using Utmost.Sessions;
using Utmost.Storage.ClickHouse;
using Utmost.Storage.Sqlite;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>A query that would run on and on is stopped by the engine itself at the deadline (the API turns that into a 503).</summary>
public sealed class QueryTimeoutTests
{
    /// <summary>Counts forever: a recursive CTE without end.</summary>
    private const string Endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n";

    [Fact]
    public async Task Sqlite_stops_a_query_at_its_deadline()
    {
        var dir = Path.Combine(Path.GetTempPath(), "utmost-tests", Guid.NewGuid().ToString("N"));
        var engine = new SqliteQueryEngine(new SqliteDatabase(dir), new SessionsDatabase(dir));
        var started = DateTime.UtcNow;

        await Assert.ThrowsAsync<TimeoutException>(() =>
            engine.RunAsync(new QueryStatement(Endless, [], QuerySource.Events), TimeSpan.FromMilliseconds(300), CancellationToken.None));

        // Stopped, not run to the end of time (a generous bound: the point is that it returns at all).
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class ClickHouseQueryTimeoutTests(ClickHouseServer server) : IClassFixture<ClickHouseServer>
{
    [BackendFact]
    public async Task ClickHouse_stops_a_query_at_its_deadline()
    {
        var engine = new ClickHouseQueryEngine(new ClickHouseClient(new HttpClient(), ClickHouseConnection.Parse(server.ConnectionString("default"))));

        await Assert.ThrowsAsync<TimeoutException>(() => engine.RunAsync(
            new QueryStatement("SELECT count() FROM numbers(1000000000000)", [], QuerySource.Events), TimeSpan.FromSeconds(1), CancellationToken.None));
    }
}
