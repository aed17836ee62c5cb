using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

public abstract class EventsApiTests(TestServer server)
{
    [BackendFact]
    public async Task Events_list_newest_first_with_default_limit_100_and_pagination()
    {
        var tenant = await server.CreateTenantAsync("events-paging");
        using var admin = server.WithKey(tenant.AdminKey);
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, 130).Select(i => new { event_type = "page_view", event_name = $"e{i}", timestamp = start.AddMinutes(i).ToString("O") });
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(events));

        var page = await admin.GetJsonAsync("/marketing/events");
        var next = await admin.GetJsonAsync("/marketing/events?offset=100&limit=500");

        Assert.Equal(100, page.GetArrayLength());
        Assert.Equal("e129", page[0].GetProperty("event_name").GetString());
        Assert.Equal("e30", page[99].GetProperty("event_name").GetString());
        Assert.Equal(30, next.GetArrayLength());
        Assert.Equal("e0", next[29].GetProperty("event_name").GetString());
    }

    [BackendFact]
    public async Task Every_documented_filter_narrows_the_list_and_dates_are_inclusive()
    {
        var tenant = await server.CreateTenantAsync("events-filters");
        using var admin = server.WithKey(tenant.AdminKey);
        await admin.PostJsonAsync("/marketing/events", """
            [{"event_type":"page_view","utm_source":"google","utm_campaign":"a","session_id":"s1","timestamp":"2025-11-01T00:00:00Z"},
             {"event_type":"lead_created","utm_source":"google","utm_campaign":"b","session_id":"s1","timestamp":"2025-11-15T12:00:00Z"},
             {"event_type":"page_view","utm_source":"facebook","utm_medium":"social","utm_campaign":"a","session_id":"s2","timestamp":"2025-11-30T23:59:59Z"},
             {"event_type":"page_view","referrer_url":"https://www.bing.com/","timestamp":"2025-12-01T00:00:00Z"}]
            """);

        async Task<int> Count(string query) => (await admin.GetJsonAsync("/marketing/events?" + query)).GetArrayLength();

        Assert.Equal(3, await Count("event_type=page_view"));
        Assert.Equal(2, await Count("utm_source=google"));
        Assert.Equal(2, await Count("utm_campaign=a"));
        Assert.Equal(1, await Count("lead_source=social_media"));
        Assert.Equal(3, await Count("lead_source=organic_search")); // google without a medium, twice, and the bing referral
        Assert.Equal(2, await Count("session_id=s1"));
        Assert.Equal(3, await Count("start_date=2025-11-01&end_date=2025-11-30"));
        Assert.Equal(3, await Count("start_date=2025-11-15T12:00:00Z"));
        Assert.Equal(2, await Count("start_date=2025-11-15T12:00:00Z&end_date=2025-11-30"));
        Assert.Equal(1, await Count("event_type=page_view&utm_source=google&end_date=2025-11-01"));
        Assert.Equal(0, await Count("utm_source=nowhere"));
        Assert.Equal(4, await Count($"tenant_id={tenant.Tenant.Slug}"));
    }

    [BackendFact]
    public async Task A_deleted_event_is_gone_from_get_list_and_a_second_delete()
    {
        var tenant = await server.CreateTenantAsync("events-delete");
        using var admin = server.WithKey(tenant.AdminKey);
        var id = (await admin.PostJsonAsync("/marketing/event", """{"event_type":"chat_started"}""")).GetProperty("id").GetString();

        using (var deleted = await admin.DeleteAsync($"/marketing/events/{id}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
            Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        }
        using (var get = await admin.GetAsync($"/marketing/events/{id}"))
        {
            await get.AssertProblemAsync(404);
        }
        using (var again = await admin.DeleteAsync($"/marketing/events/{id}"))
        {
            await again.AssertProblemAsync(404);
        }
        Assert.Equal(0, (await admin.GetJsonAsync("/marketing/events")).GetArrayLength());
    }

    [BackendFact]
    public async Task Retention_removes_whole_months_before_the_cutoff_and_keeps_the_rest()
    {
        var tenant = await server.CreateTenantAsync("events-retention");
        using var admin = server.WithKey(tenant.AdminKey);
        await admin.PostJsonAsync("/marketing/events", """
            [{"event_type":"page_view","event_name":"jan","timestamp":"2024-01-15T12:00:00Z"},
             {"event_type":"page_view","event_name":"feb-end","timestamp":"2024-02-29T23:59:59.999Z"},
             {"event_type":"page_view","event_name":"mar-start","timestamp":"2024-03-01T00:00:00Z"},
             {"event_type":"page_view","event_name":"later","timestamp":"2025-06-01T08:00:00Z"}]
            """);
        var store = server.Services.GetRequiredService<Utmost.Events.IEventStore>();

        await store.DropBeforeMonthAsync(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), CancellationToken.None);

        var names = (await admin.GetJsonAsync("/marketing/events")).EnumerateArray().Select(e => e.GetProperty("event_name").GetString()!).ToArray();
        Assert.Equal(["later", "mar-start"], names);
        Assert.Equal(2, await admin.TotalEventsAsync());
    }

    [BackendFact]
    public async Task Reads_need_a_key_and_a_viewer_cannot_delete()
    {
        var tenant = await server.CreateTenantAsync("events-auth");
        using var admin = server.WithKey(tenant.AdminKey);
        using var viewer = server.WithKey(await server.CreateKeyAsync("events-auth", "viewer"));
        using var anonymous = server.Anonymous();
        var id = (await admin.PostJsonAsync("/marketing/event", """{"event_type":"phone_call"}""")).GetProperty("id").GetString();

        foreach (var path in new[] { "/marketing/events", $"/marketing/events/{id}", "/marketing/metrics", "/marketing/campaigns", "/marketing/events/types" })
        {
            using var response = await anonymous.GetAsync(path);
            await response.AssertProblemAsync(401);
        }
        using (var refused = await viewer.DeleteAsync($"/marketing/events/{id}"))
        {
            await refused.AssertProblemAsync(403);
        }
        Assert.Equal("phone_call", (await viewer.GetJsonAsync($"/marketing/events/{id}")).GetProperty("event_type").GetString());
    }

    [BackendFact]
    public async Task Ingestion_stores_the_channel_source_medium_device_and_visitor_of_each_event()
    {
        var tenant = await server.CreateTenantAsync("enriched");
        using var admin = server.WithKey(tenant.AdminKey);
        const string iPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
        var ids = (await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new object[]
        {
            new { event_type = "page_view", visitor_id = "v-1", user_agent = iPhone, referrer_url = "https://www.google.co.uk/",
                  page_url = "https://shop.example.com/?gclid=abc" },
            new { event_type = "page_view", user_agent = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                  referrer_url = "https://l.facebook.com/l.php", page_url = "https://shop.example.com/" },
        }))).GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList();

        var person = await admin.GetJsonAsync($"/marketing/events/{ids[0]}");
        var bot = await admin.GetJsonAsync($"/marketing/events/{ids[1]}");

        Assert.Equal(("v-1", "Paid Search", "google", "cpc", "paid_search"), (person.GetProperty("visitor_id").GetString(),
            person.GetProperty("channel").GetString(), person.GetProperty("source").GetString(), person.GetProperty("medium").GetString(),
            person.GetProperty("lead_source").GetString()));
        Assert.Equal(("mobile", "Safari", "iOS", false), (person.GetProperty("device_type").GetString(), person.GetProperty("browser").GetString(),
            person.GetProperty("os").GetString(), person.GetProperty("is_bot").GetBoolean()));
        Assert.Equal(("Organic Social", "facebook", "bot", true), (bot.GetProperty("channel").GetString(), bot.GetProperty("source").GetString(),
            bot.GetProperty("device_type").GetString(), bot.GetProperty("is_bot").GetBoolean()));
        // Bots are kept, but metrics leave them out.
        Assert.Equal(2, (await admin.GetJsonAsync("/marketing/events")).GetArrayLength());
        var metrics = await admin.GetJsonAsync("/marketing/metrics");
        Assert.Equal((1, 1), (metrics.GetProperty("total_events").GetInt64(), metrics.GetProperty("timeline_data").EnumerateArray().Sum(d => d.GetProperty("events").GetInt64())));
        using (var deleted = await admin.DeleteAsync($"/marketing/events/{ids[1]}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        Assert.Equal(1, (await admin.GetJsonAsync("/marketing/metrics")).GetProperty("total_events").GetInt64());
    }

    [BackendFact]
    public async Task Visitors_without_an_id_get_a_daily_cookieless_one_unless_the_tenant_turns_it_off()
    {
        var tenant = await server.CreateTenantAsync("cookieless");
        using var admin = server.WithKey(tenant.AdminKey);
        async Task<string?> VisitorOf(object e) =>
            await admin.GetJsonAsync($"/marketing/events/{(await admin.PostJsonAsync("/marketing/event", JsonSerializer.Serialize(e))).GetProperty("id").GetString()}")
                is var stored && stored.GetProperty("visitor_id").ValueKind == JsonValueKind.String ? stored.GetProperty("visitor_id").GetString() : null;

        var first = await VisitorOf(new { event_type = "page_view", ip_address = "198.51.100.23", user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" });
        var again = await VisitorOf(new { event_type = "page_view", ip_address = "198.51.100.23", user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" });
        var otherDevice = await VisitorOf(new { event_type = "page_view", ip_address = "198.51.100.24", user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" });
        var tracked = await VisitorOf(new { event_type = "page_view", ip_address = "198.51.100.23", visitor_id = "v-from-the-tracker" });

        Assert.StartsWith("cl_", first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, otherDevice);
        Assert.Equal("v-from-the-tracker", tracked);

        using (var patch = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"cookieless_visitors":false}""")))
        {
            Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());
            Assert.False((await patch.ReadJsonAsync()).GetProperty("cookieless_visitors").GetBoolean());
        }
        Assert.Null(await VisitorOf(new { event_type = "page_view", ip_address = "198.51.100.23" }));
    }

    [BackendFact]
    public async Task A_server_side_senders_own_agent_and_address_say_nothing_about_the_visitor()
    {
        var tenant = await server.CreateTenantAsync("server-side");
        using var admin = server.WithKey(tenant.AdminKey);
        admin.DefaultRequestHeaders.UserAgent.ParseAdd("curl/8.5.0");

        var sent = await admin.PostJsonAsync("/marketing/event", """{"event_type":"purchase"}""");
        var stated = await admin.PostJsonAsync("/marketing/event",
            """{"event_type":"purchase","ip_address":"198.51.100.7","user_agent":"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"}""");

        Assert.Equal(("other", false, JsonValueKind.Null), (sent.GetProperty("device_type").GetString(), sent.GetProperty("is_bot").GetBoolean(),
            sent.GetProperty("visitor_id").ValueKind));
        Assert.True(stated.GetProperty("is_bot").GetBoolean());
        Assert.StartsWith("cl_", stated.GetProperty("visitor_id").GetString());
        Assert.Equal(1, (await admin.GetJsonAsync("/marketing/metrics")).GetProperty("total_events").GetInt64());
    }
}

[NeedsServers]
public sealed class EventsApiOnSqlite(TestServer server) : EventsApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class EventsApiOnPostgres(PostgresTestServer server) : EventsApiTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class EventsApiOnClickHouse(ClickHouseTestServer server) : EventsApiTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class EventsApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : EventsApiTests(server), IClassFixture<PostgresClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class EventsApiOnClickHouseCluster(ClickHouseClusterTestServer server) : EventsApiTests(server), IClassFixture<ClickHouseClusterTestServer>;
