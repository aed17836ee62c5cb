using System.Text.Json;
using Utmost.Storage.ClickHouse;
using Utmost.Tests.Support;

namespace Utmost.Tests.Scale;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class ClickHouseClusterTests(ClickHouseClusterTestServer server) : IClassFixture<ClickHouseClusterTestServer>
{
    [BackendFact]
    public async Task Events_spread_over_both_shards_and_are_counted_once_through_the_distributed_table()
    {
        using var admin = server.Admin();
        var events = Enumerable.Range(0, 400).Select(i => new { event_type = "page_view", event_id = $"spread-{i}" });
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(events));
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(events.Take(100))); // retries: same events

        Assert.Equal(400, (await admin.GetJsonAsync("/marketing/metrics")).GetProperty("total_events").GetInt64());
        var perShard = new List<long>();
        foreach (var node in server.Cluster.Nodes)
        {
            var client = new ClickHouseClient(new HttpClient(), ClickHouseConnection.Parse(node.ConnectionString("utmost")));
            // This test's events only: the other tests here write to the same shards.
            var rows = await client.QueryAsync(
                $"SELECT count() AS n FROM {ClickHouseMigrator.LocalName(ClickHouseMigrator.EventsTable)} WHERE startsWith(event_id, 'spread-')", CancellationToken.None);
            perShard.Add(rows.Single().GetProperty("n").GetInt64());
        }
        Assert.All(perShard, n => Assert.True(n > 50, $"a shard holds only {n} of 400 events"));
        Assert.Equal(400, perShard.Sum());
    }

    [BackendFact]
    public async Task A_funnel_is_built_counted_and_dropped_across_both_shards()
    {
        using var admin = server.WithKey((await server.CreateTenantAsync("shard-funnel")).AdminKey);
        // 60 visitors on 6 May; every second one fills the form a minute later, every sixth one on the 7th (within the day's window).
        var events = Enumerable.Range(0, 60).SelectMany(i => new[]
        {
            new { event_type = "page_view", visitor_id = $"shard-{i}", timestamp = $"2025-05-06T08:{i:00}:00Z" },
            new { event_type = i % 6 == 0 ? "form_submit" : i % 2 == 0 ? "form_submit" : "page_view", visitor_id = $"shard-{i}",
                timestamp = i % 6 == 0 ? $"2025-05-07T07:{i:00}:00Z" : $"2025-05-06T08:{i:00}:30Z" },
        });
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(events));
        var id = (await admin.PostJsonAsync("/api/funnels", """{"name": "Shards", "window_hours": 24, "steps": ["page_view", "form_submit"]}"""))
            .GetProperty("id").GetString();

        async Task<long[]> EnteredAsync(string range) => (await admin.GetJsonAsync($"/api/funnels/{id}/report?date_range={Uri.EscapeDataString(range)}"))
            .GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("entered").GetInt64()).ToArray();
        Assert.Equal(new long[] { 60, 30 }, await EnteredAsync("2025-05-06,2025-05-06"));
        Assert.Equal(new long[] { 60, 30 }, await EnteredAsync("2025-05-06T00:00:00Z,2025-05-06T23:59:59.999Z"));

        using var deleted = await admin.DeleteAsync($"/api/funnels/{id}");
        Assert.Equal(204, (int)deleted.StatusCode);
    }

    [BackendFact]
    public async Task Upgrading_a_cluster_adds_new_columns_to_the_shard_tables_and_their_distributed_tables()
    {
        var nodes = server.Cluster.Nodes
            .Select(node => new ClickHouseClient(new HttpClient(), ClickHouseConnection.Parse(node.ConnectionString("upgrade")))).ToArray();
        var migrator = new ClickHouseMigrator(nodes, ClickHouseCluster.Name, TimeProvider.System);
        await migrator.MigrateAsync(CancellationToken.None, targetVersion: 2);
        Assert.DoesNotContain("is_bot", await ColumnsAsync(nodes[0], ClickHouseMigrator.EventsTable));

        await migrator.MigrateAsync(CancellationToken.None);
        await migrator.MigrateAsync(CancellationToken.None); // again: nothing left to do, and no error

        foreach (var node in nodes)
        {
            Assert.Contains("is_bot", await ColumnsAsync(node, ClickHouseMigrator.EventsTable));
            Assert.Contains("is_bot", await ColumnsAsync(node, ClickHouseMigrator.LocalName(ClickHouseMigrator.EventsTable)));
            Assert.Contains("is_bot", await ColumnsAsync(node, ClickHouseMigrator.DeletedEventsTable));
        }
    }

    private static async Task<List<string>> ColumnsAsync(ClickHouseClient node, string table) =>
        (await node.QueryAsync($"SELECT name FROM system.columns WHERE database = 'upgrade' AND table = {ClickHouseSql.Literal(table)}", CancellationToken.None))
        .Select(r => r.GetProperty("name").GetString()!).ToList();
}
