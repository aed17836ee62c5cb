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
        var scraped = await anonymous.GetStringAsync("/metrics");
        var backlogLine = scraped.Split('\n').Single(line => line.StartsWith("utmost_spool_backlog ", StringComparison.Ordinal));
        Assert.True(long.Parse(backlogLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, scraped);

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

/// <summary>A server whose spool holds at most 1,000 events, to reach the bound quickly.</summary>
public sealed class SmallSpoolTestServer : BackendTestServer
{
    public SmallSpoolTestServer()
        : base(postgres: false, clickHouse: true) => ExtraArgs.Add("--Utmost:Events:SpoolLimit=1000");
}

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class SpoolLimitTests(SmallSpoolTestServer server) : IClassFixture<SmallSpoolTestServer>
{
    [BackendFact]
    public async Task A_full_spool_refuses_with_503_and_retry_after_and_keeps_everything_it_accepted()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        await admin.GetJsonAsync("/marketing/metrics"); // the schema is ready and the spool empty
        server.ClickHouse.Kill();
        var batch = JsonSerializer.Serialize(Enumerable.Range(0, 300).Select(_ => new { event_type = "page_view" }));
        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var response = await anonymous.PostAsync("/marketing/events", Http.Json(batch));
            if (response.StatusCode == HttpStatusCode.Created)
            {
                accepted += 300;
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            await refused.AssertProblemAsync(503);
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        Assert.Equal(900, accepted); // three batches fit under 1,000; the fourth would not
        await server.ClickHouse.RestartAsync();
        Assert.Equal(accepted, (await admin.GetJsonAsync("/marketing/metrics")).GetProperty("total_events").GetInt64());
    }
}
