using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Scale;

/// <summary>Two stateless utmost instances over one PostgreSQL and one ClickHouse, each with its own local spool.</summary>
public sealed class TwoInstances : IAsyncLifetime
{
    private readonly PostgresServer _postgres = new();

    public ClickHouseServer ClickHouse { get; } = new();

    public TestServer First { get; } = new();

    public TestServer Second { get; } = new();

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        await ClickHouse.InitializeAsync();
        string[] shared =
        [
            "--Utmost:Storage:Provider=postgres", $"--ConnectionStrings:Utmost={await _postgres.CreateDatabaseAsync("utmost")}",
            "--Utmost:Events:Provider=clickhouse", $"--ConnectionStrings:ClickHouse={ClickHouse.ConnectionString("utmost")}",
        ];
        First.ExtraArgs.AddRange(shared);
        Second.ExtraArgs.AddRange(shared);
        await First.InitializeAsync();
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        await ClickHouse.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class TwoInstancesTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    [BackendFact]
    public async Task Events_sent_to_either_instance_give_identical_answers_from_both()
    {
        using var first = instances.First.Admin();
        using var second = instances.Second.Admin();
        var random = new Random(11);
        string[] sources = ["google", "facebook", "newsletter", "bing"];
        string Batch(int count) => JsonSerializer.Serialize(Enumerable.Range(0, count).Select(_ => new
        {
            event_type = random.Next(4) == 0 ? "lead_created" : "page_view",
            utm_source = sources[random.Next(sources.Length)],
            timestamp = DateTimeOffset.UtcNow.AddMinutes(-random.Next(0, 60 * 24 * 5)).ToString("O"),
        }));

        var sent = await first.TotalEventsAsync();
        for (var i = 0; i < 10; i++)
        {
            var count = 50 + i * 10;
            await (i % 2 == 0 ? first : second).PostJsonAsync("/marketing/events", Batch(count));
            sent += count;
        }
        var campaign = await first.PostJsonAsync("/marketing/campaigns", """{"campaign_name":"Shared","utm_campaign":"shared"}""");

        // Each instance ships its own spool; a read on each makes sure both spools reached ClickHouse.
        await first.GetJsonAsync("/marketing/metrics");
        await second.GetJsonAsync("/marketing/metrics");
        var fromFirst = await first.GetJsonAsync("/marketing/metrics");
        var fromSecond = await second.GetJsonAsync("/marketing/metrics");

        Assert.Equal(sent, fromFirst.GetProperty("total_events").GetInt64());
        Assert.Equal(fromFirst.GetRawText(), fromSecond.GetRawText());
        Assert.Equal((await first.GetJsonAsync("/marketing/metrics/conversion-rates")).GetRawText(),
            (await second.GetJsonAsync("/marketing/metrics/conversion-rates")).GetRawText());
        Assert.Equal("Shared", (await second.GetJsonAsync($"/marketing/campaigns/{campaign.GetProperty("id").GetString()}"))
            .GetProperty("campaign_name").GetString());
    }

    [BackendFact]
    public async Task An_event_spooled_by_one_instance_and_deleted_through_the_other_stops_counting_on_both()
    {
        using var first = instances.First.Admin();
        using var second = instances.Second.Admin();
        var before = await first.TotalEventsAsync();
        var ids = (await first.PostJsonAsync("/marketing/events",
            """[{"event_type":"lead_created","utm_source":"cross-delete"},{"event_type":"page_view","utm_source":"cross-delete"}]"""))
            .GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToArray();
        await first.GetJsonAsync("/marketing/metrics"); // shipped by the first instance

        // The second instance never spooled this event: the delete goes to ClickHouse directly.
        using (var deleted = await second.DeleteAsync($"/marketing/events/{ids[0]}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        using (var again = await second.DeleteAsync($"/marketing/events/{ids[0]}"))
        {
            Assert.Equal(404, (int)again.StatusCode);
        }

        foreach (var instance in new[] { first, second })
        {
            var metrics = await instance.GetJsonAsync("/marketing/metrics");
            Assert.Equal(before + 1, metrics.GetProperty("total_events").GetInt64());
            var listed = await instance.GetJsonAsync("/marketing/events?utm_source=cross-delete");
            Assert.Equal([ids[1]], listed.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
            using var gone = await instance.GetAsync($"/marketing/events/{ids[0]}");
            Assert.Equal(404, (int)gone.StatusCode);
        }
    }

    [BackendFact]
    public async Task A_visitor_whose_events_reach_both_instances_in_any_order_has_the_same_sessions_on_both()
    {
        using var first = instances.First.Admin();
        using var second = instances.Second.Admin();
        var start = new DateTimeOffset(2025, 5, 1, 8, 0, 0, TimeSpan.Zero);
        // 20 visits of 6 events, 40 minutes apart, each visit from its own campaign; the events are shuffled and
        // every request goes to the other instance, so each visit's events are split between the two spools.
        var events = Enumerable.Range(0, 120).Select(i => new
        {
            event_type = "page_view",
            visitor_id = "roaming",
            timestamp = start.AddMinutes(i / 6 * 40 + i % 6 * 2).ToString("O"),
            utm_source = i % 6 == 0 ? "newsletter" : null,
            utm_medium = i % 6 == 0 ? "email" : null,
            utm_campaign = i % 6 == 0 ? $"issue-{i / 6}" : null,
        }).OrderBy(_ => Random.Shared.Next()).ToArray();
        var requests = events.Chunk(10).Select((chunk, n) => (n % 2 == 0 ? first : second).PostJsonAsync("/marketing/events", JsonSerializer.Serialize(chunk)));
        await Task.WhenAll(requests);

        // A read catches up its own instance; reading on both makes sure both spools were shipped and built.
        await first.GetJsonAsync("/api/sessions?visitor_id=roaming");
        await second.GetJsonAsync("/api/sessions?visitor_id=roaming");
        var fromFirst = await first.GetJsonAsync("/api/sessions?visitor_id=roaming&limit=100");
        var fromSecond = await second.GetJsonAsync("/api/sessions?visitor_id=roaming&limit=100");

        Assert.Equal(fromFirst.GetRawText(), fromSecond.GetRawText());
        var sessions = fromFirst.EnumerateArray().ToArray();
        Assert.Equal(20, sessions.Length);
        Assert.Equal(Enumerable.Range(0, 20).Reverse().Select(v => $"issue-{v}"), sessions.Select(s => s.GetProperty("campaign").GetString()));
        Assert.All(sessions, s => Assert.Equal((6, 600L), (s.GetProperty("events").GetInt32(), s.GetProperty("duration").GetInt64())));
    }
}
