using System.Text.Json;
using Utmost.Storage.ClickHouse;
using Utmost.Tests.Support;

namespace Utmost.Tests.Durability;

/// <summary>A server that reaches ClickHouse through a proxy which can lose ClickHouse's answers.</summary>
public sealed class LostAnswersTestServer() : BackendTestServer(postgres: false, clickHouse: true)
{
    private LossyProxy? _proxy;

    public LossyProxy Proxy => _proxy ?? throw new InvalidOperationException("The server has not started.");

    protected override string ClickHouseConnectionString(ClickHouseServer server)
    {
        _proxy = new LossyProxy(server.HttpEndpoint.Port);
        return $"http://127.0.0.1:{_proxy.Port}/?database=utmost";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }
}

/// <summary>
/// ClickHouse carries out an insert but its answer never arrives: the shipper cannot tell whether the batch
/// landed, and must neither lose it nor store or count it twice.
/// </summary>
[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class ExactlyOnceShippingTests(LostAnswersTestServer server) : IClassFixture<LostAnswersTestServer>
{
    [BackendFact]
    public async Task Batches_whose_answers_were_lost_are_stored_and_rolled_up_exactly_once()
    {
        using var admin = server.Admin();
        await admin.GetJsonAsync("/marketing/metrics"); // the schema is ready and the spool empty
        var sent = 0;
        async Task SendAndLoseAsync(string marker)
        {
            var lostBefore = server.Proxy.Lost;
            server.Proxy.LoseAnswers(marker, 1);
            var body = JsonSerializer.Serialize(Enumerable.Range(sent, 500).Select(i => new
            {
                event_type = i % 5 == 0 ? "lead_created" : "page_view", event_id = $"lost-{i}", utm_source = "lost-answers",
            }));
            await admin.PostJsonAsync("/marketing/events", body);
            sent += 500;
            for (var waited = 0; server.Proxy.Lost == lostBefore; waited += 50)
            {
                Assert.True(waited < 30_000, $"no answer to '{marker}' was lost");
                await Task.Delay(50);
            }
        }

        await SendAndLoseAsync("INSERT%20INTO%20marketing_events");
        await SendAndLoseAsync("INSERT%20INTO%20marketing_events");
        await SendAndLoseAsync("INSERT%20INTO%20rollup_counts");

        var metrics = await admin.GetJsonAsync("/marketing/metrics");
        Assert.Equal(sent, metrics.GetProperty("total_events").GetInt64());
        Assert.Equal(sent / 5, metrics.GetProperty("total_leads").GetInt64());
        Assert.Equal(sent, metrics.GetProperty("top_sources")[0].GetProperty("count").GetInt64());
        var clickHouse = new ClickHouseClient(new HttpClient(), ClickHouseConnection.Parse(server.ClickHouse.ConnectionString("utmost")));
        var stored = (await clickHouse.QueryAsync(
            "SELECT count() AS rows, uniqExact(id) AS ids FROM marketing_events WHERE utm_source = 'lost-answers'", CancellationToken.None)).Single();
        Assert.Equal(sent, stored.GetProperty("rows").GetInt64());
        Assert.Equal(sent, stored.GetProperty("ids").GetInt64());
    }
}
