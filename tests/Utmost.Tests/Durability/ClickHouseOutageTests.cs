using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Durability;

/// <summary>
/// ClickHouse is killed in the middle of ingestion and started again: every acknowledged event ends up counted
/// exactly once, ingestion keeps answering from the local spool meanwhile, and reads say 503 while it is away.
/// </summary>
[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class ClickHouseOutageTests(ClickHouseTestServer server) : IClassFixture<ClickHouseTestServer>
{
    [BackendFact]
    public async Task Killing_clickhouse_mid_ingestion_loses_and_duplicates_nothing()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        var acknowledged = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        async Task Send(int worker)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var ids = Enumerable.Range(0, 20).Select(n => $"w{worker}-{i}-{n}").ToArray();
                var body = JsonSerializer.Serialize(ids.Select(id => new { event_type = "page_view", event_id = id, utm_source = "outage" }));
                using var response = await anonymous.PostAsync("/marketing/events", Http.Json(body));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                foreach (var id in ids)
                {
                    acknowledged.Add(id);
                }
            }
        }

        var senders = Enumerable.Range(0, 4).Select(w => Task.Run(() => Send(w))).ToArray();
        await Task.Delay(700);
        server.ClickHouse.Kill();
        await Task.Delay(1500);

        using (var read = await admin.GetAsync("/marketing/metrics"))
        {
            await read.AssertProblemAsync(503);
        }
        var health = await (await anonymous.GetAsync("/health/ready")).ReadJsonAsync();
        Assert.True(health.GetProperty("checks")[0].GetProperty("data").GetProperty("spool_backlog").GetInt64() > 0);

        await server.ClickHouse.RestartAsync();
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        // A retry of events the spool already holds must not count them again.
        var retried = acknowledged.Take(50).Select(id => new { event_type = "page_view", event_id = id, utm_source = "outage" });
        await anonymous.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(retried));

        var metrics = await admin.GetJsonAsync("/marketing/metrics");
        Assert.Equal(acknowledged.Count, metrics.GetProperty("total_events").GetInt64());
        var listed = new HashSet<string>();
        for (var offset = 0; ; offset += 500)
        {
            var page = await admin.GetJsonAsync($"/marketing/events?utm_source=outage&limit=500&offset={offset}");
            foreach (var e in page.EnumerateArray())
            {
                Assert.True(listed.Add(e.GetProperty("event_id").GetString()!), "an event was listed twice");
            }
            if (page.GetArrayLength() < 500)
            {
                break;
            }
        }
        Assert.True(acknowledged.ToHashSet().SetEquals(listed));
    }
}
