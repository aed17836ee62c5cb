using System.Text;
using System.Text.Json;
using Utmost.Storage.ClickHouse;
using Utmost.Tests.Support;

namespace Utmost.Tests.Storage;

/// <summary>The ClickHouse schema is upgraded in place, and events stored by an older version keep counting right.</summary>
[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class ClickHouseMigratorTests(ClickHouseServer server) : IClassFixture<ClickHouseServer>
{
    [BackendFact]
    public async Task Events_stored_before_rollups_existed_are_rolled_up_and_their_deletes_and_duplicates_resolved()
    {
        var client = new ClickHouseClient(new HttpClient(), ClickHouseConnection.Parse(server.ConnectionString("upgrade")));
        var migrator = new ClickHouseMigrator([client], cluster: null, TimeProvider.System);
        Assert.Equal(1, await migrator.MigrateAsync(CancellationToken.None, targetVersion: 1));
        // Version 1 shipped at least once, and a soft delete as a newer version of the event.
        var day = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var rows = new StringBuilder();
        void Row(string id, long createdAt, string type, string? source, long? deletedAt) => rows.AppendLine(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["tenant_key"] = 1, ["id"] = id, ["event_type"] = type, ["utm_source"] = source, ["lead_source"] = "direct",
            ["user_id_is_number"] = 0, ["lead_id_is_number"] = 0, ["properties"] = "{}", ["metadata"] = "{}",
            ["created_at"] = createdAt, ["received_at"] = createdAt, ["deleted_at"] = deletedAt, ["version"] = deletedAt ?? 0,
        }));
        Row("a", day + 1_000, "page_view", "google", null);
        Row("a", day + 1_000, "page_view", "google", null); // shipped twice
        Row("b", day + 3_600_000, "lead_created", "google", null);
        Row("b", day + 3_600_000, "lead_created", "google", day + 9_000_000); // deleted after shipping
        Row("c", day + 86_400_000, "page_view", null, day + 90_000_000); // deleted before it was first shipped
        Row("d", day + 86_400_000 + 5, "page_view", "bing", null);
        await client.InsertAsync(ClickHouseMigrator.EventsTable, Encoding.UTF8.GetBytes(rows.ToString()), CancellationToken.None);

        Assert.Equal(ClickHouseMigrator.All.Count - 1, await migrator.MigrateAsync(CancellationToken.None));
        Assert.Equal(0, await migrator.MigrateAsync(CancellationToken.None));

        async Task<string> Rows(string sql) =>
            string.Join(" ", (await client.QueryAsync(sql, CancellationToken.None)).Select(r => string.Join(",", r.EnumerateObject().Select(p => p.Value.ToString()))));
        Assert.Equal("4,4", await Rows("SELECT count(), uniqExact(id) FROM marketing_events"));
        Assert.Equal("b c", await Rows("SELECT id FROM deleted_events FINAL ORDER BY id"));
        // The rollups count every stored event, deleted or not (reads subtract the deleted ones).
        Assert.Equal($"{day},page_view,1 {day + 3_600_000},lead_created,1 {day + 86_400_000},page_view,2",
            await Rows("SELECT bucket, event_type, sum(events) FROM rollup_counts FINAL GROUP BY bucket, event_type ORDER BY bucket"));
        Assert.Equal("1440,bing,1 1440,google,2 15,bing,1 15,google,2",
            await Rows("SELECT grain, value, sum(events) FROM rollup_dimensions FINAL WHERE dimension = 'utm_source' GROUP BY grain, value ORDER BY grain DESC, value"));
    }

    [Fact]
    public void Scripts_split_into_statements_at_semicolons_that_end_a_line_and_lose_their_comments()
    {
        var statements = ClickHouseMigrator.Statements("""
            -- a comment; with a semicolon
            CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Log;

            INSERT INTO a
            SELECT 'x';
            OPTIMIZE TABLE a
            """).ToList();

        Assert.Equal(["CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Log", "INSERT INTO a\nSELECT 'x'", "OPTIMIZE TABLE a"], statements);
    }
}
