using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>Sessions, goals and journeys, the same on every backend. Expected sessions are worked out by hand from the scenario.</summary>
public abstract class SessionsApiTests(TestServer server)
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 10, 9, 0, 0, TimeSpan.Zero);

    private static string At(double minutes) => T0.AddMinutes(minutes).ToString("O");

    private static string Events(params object[] events) => JsonSerializer.Serialize(events);

    private static async Task<JsonElement[]> SessionsAsync(HttpClient client, string query = "") =>
        (await client.GetJsonAsync("/api/sessions" + query)).EnumerateArray().ToArray();

    private static string[] Ids(IEnumerable<JsonElement> sessions) => sessions.Select(s => s.GetProperty("id").GetString()!).ToArray();

    [BackendFact]
    public async Task Sessions_end_after_a_pause_or_a_new_source_keep_their_landing_details_and_do_not_depend_on_arrival_order()
    {
        var tenant = await server.CreateTenantAsync("sessions-split");
        using var admin = server.WithKey(tenant.AdminKey);
        const string visitor = "v-shop";
        var landing = "https://shop.example/home?utm_source=newsletter&utm_medium=email&utm_campaign=spring";
        // The visit's first two events arrive last, after everything that followed them.
        var ids = (await admin.PostJsonAsync("/marketing/events", Events(
            new { event_type = "purchase", visitor_id = visitor, timestamp = At(12), page_url = "https://shop.example/thanks", order_id = "o-1",
                revenue = new { amount = 49.90, currency = "EUR" } },
            new { event_type = "purchase", visitor_id = visitor, timestamp = At(13), page_url = "https://shop.example/thanks", order_id = "o-1",
                revenue = new { amount = 49.90, currency = "EUR" } },
            new { event_type = "page_view", visitor_id = visitor, timestamp = At(50), page_url = "https://shop.example/blog", referrer_url = "https://www.google.co.uk/" },
            new { event_type = "page_view", visitor_id = visitor, timestamp = At(52), page_url = "https://shop.example/blog/2", referrer_url = "https://shop.example/blog" },
            new { event_type = "page_view", visitor_id = visitor, timestamp = At(53), page_url = "https://shop.example/x", referrer_url = "https://l.facebook.com/" },
            new { event_type = "button_click", visitor_id = visitor, timestamp = At(55) })))
            .GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToArray();
        // Before the late events: the purchases alone, the Google visit, the Facebook visit.
        Assert.Equal([ids[4], ids[2], ids[0]], Ids(await SessionsAsync(admin)));
        var firstIds = (await admin.PostJsonAsync("/marketing/events", Events(
            new { event_type = "page_view", visitor_id = visitor, timestamp = At(0), page_url = landing, utm_source = "newsletter", utm_medium = "email",
                utm_campaign = "spring", referrer_url = "https://mail.google.com/" },
            new { event_type = "page_view", visitor_id = visitor, timestamp = At(5), page_url = "https://shop.example/pricing", referrer_url = "https://shop.example/home" })))
            .GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToArray();

        var sessions = await SessionsAsync(admin);

        // Newest first: the Facebook visit, the Google visit, the newsletter visit.
        Assert.Equal([ids[4], ids[2], firstIds[0]], Ids(sessions));
        var (social, search, email) = (sessions[0], sessions[1], sessions[2]);
        Assert.Equal(("Email", "newsletter", "email", "spring"), (Text(email, "channel"), Text(email, "source"), Text(email, "medium"), Text(email, "campaign")));
        Assert.Equal((landing, "https://shop.example/thanks", "mail.google.com"), (Text(email, "landing_page"), Text(email, "exit_page"), Text(email, "referrer_domain")));
        Assert.Equal((2, 4, 780L), (email.GetProperty("page_views").GetInt32(), email.GetProperty("events").GetInt32(), email.GetProperty("duration").GetInt64()));
        Assert.Equal(T0, email.GetProperty("started_at").GetDateTimeOffset());
        // o-1 was sent twice: one conversion.
        Assert.True(email.GetProperty("converted").GetBoolean());
        Assert.Equal(1, email.GetProperty("conversions").GetInt32());
        Assert.Equal(("purchase", 49.9m, "EUR", "o-1"),
            (Text(email, "conversion_type"), email.GetProperty("conversion_value").GetDecimal(), Text(email, "currency"), Text(email, "order_id")));

        Assert.Equal(("Organic Search", "google", "organic", "www.google.co.uk"), (Text(search, "channel"), Text(search, "source"), Text(search, "medium"), Text(search, "referrer_domain")));
        Assert.Equal((2, "https://shop.example/blog", "https://shop.example/blog/2"), (search.GetProperty("page_views").GetInt32(), Text(search, "landing_page"), Text(search, "exit_page")));
        Assert.False(search.GetProperty("converted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, search.GetProperty("conversion_type").ValueKind);

        Assert.Equal(("Organic Social", "facebook", 2, 1), (Text(social, "channel"), Text(social, "source"), social.GetProperty("events").GetInt32(), social.GetProperty("page_views").GetInt32()));
        Assert.Equal(visitor, Text(social, "visitor_id"));
    }

    [BackendFact]
    public async Task Sessions_filter_by_date_range_channel_and_conversion_and_refuse_bad_filters_by_name()
    {
        var tenant = await server.CreateTenantAsync("sessions-filter");
        using var admin = server.WithKey(tenant.AdminKey);
        await admin.PostJsonAsync("/marketing/events", Events(
            new { event_type = "page_view", visitor_id = "a", timestamp = At(0), utm_source = "google", utm_medium = "cpc" },
            new { event_type = "job_created", visitor_id = "a", timestamp = At(3) },
            new { event_type = "page_view", visitor_id = "b", timestamp = At(60), referrer_url = "https://www.bing.com/" },
            new { event_type = "page_view", visitor_id = "c", timestamp = At(24 * 60), utm_source = "google", utm_medium = "cpc" }));

        Assert.Equal(3, (await SessionsAsync(admin)).Length);
        var converted = Assert.Single(await SessionsAsync(admin, "?converted=true"));
        Assert.Equal(("a", "job_created"), (Text(converted, "visitor_id"), Text(converted, "conversion_type")));
        Assert.Equal(["c", "b"], (await SessionsAsync(admin, "?converted=false")).Select(s => Text(s, "visitor_id")));
        Assert.Equal(["c", "a"], (await SessionsAsync(admin, "?channel=paid%20search")).Select(s => Text(s, "visitor_id")));
        Assert.Equal(["b", "a"], (await SessionsAsync(admin, "?start_date=2025-03-10&end_date=2025-03-10")).Select(s => Text(s, "visitor_id")));
        Assert.Equal(["b"], (await SessionsAsync(admin, "?start_date=2025-03-10T09:30:00Z&end_date=2025-03-10&limit=5")).Select(s => Text(s, "visitor_id")));
        Assert.Equal(["b"], (await SessionsAsync(admin, "?limit=1&offset=1")).Select(s => Text(s, "visitor_id")));

        foreach (var (query, field) in new[]
        {
            ("?converted=maybe", "converted"), ("?start_date=yesterday", "start_date"), ("?start_date=2025-03-10&end_date=2025-03-01", "end_date"),
            ("?limit=0", "limit"), ("?offset=-1", "offset"),
        })
        {
            using var refused = await admin.GetAsync("/api/sessions" + query);
            await refused.AssertProblemAsync(400, field);
        }
    }

    [BackendFact]
    public async Task A_late_event_merges_the_sessions_around_it_and_deleting_it_splits_them_again()
    {
        var tenant = await server.CreateTenantAsync("sessions-late");
        using var admin = server.WithKey(tenant.AdminKey);
        var ids = (await admin.PostJsonAsync("/marketing/events", Events(
            new { event_type = "page_view", visitor_id = "late", timestamp = At(0) },
            new { event_type = "page_view", visitor_id = "late", timestamp = At(40) })))
            .GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToArray();
        Assert.Equal([ids[1], ids[0]], Ids(await SessionsAsync(admin)));

        var late = (await admin.PostJsonAsync("/marketing/events", Events(new { event_type = "page_view", visitor_id = "late", timestamp = At(20) })))
            .GetProperty("ids")[0].GetString()!;
        var merged = Assert.Single(await SessionsAsync(admin));
        Assert.Equal((ids[0], 3, 2400L), (Text(merged, "id"), merged.GetProperty("events").GetInt32(), merged.GetProperty("duration").GetInt64()));

        using (var deleted = await admin.DeleteAsync($"/marketing/events/{late}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        Assert.Equal([ids[1], ids[0]], Ids(await SessionsAsync(admin)));
    }

    [BackendFact]
    public async Task Goals_narrowed_by_properties_decide_what_converts_and_bad_goals_are_refused_by_name()
    {
        var tenant = await server.CreateTenantAsync("sessions-goals");
        using var admin = server.WithKey(tenant.AdminKey);
        using (var put = await admin.PutAsync("/api/goals",
            Http.Json("""[{"name":"Quote form","event_type":"form_submit","properties":{"form":"quote","step":2}},"purchase"]""")))
        {
            Assert.Equal(200, (int)put.StatusCode);
        }
        var goals = await admin.GetJsonAsync("/api/goals");
        Assert.Equal(["Quote form", "purchase"], goals.EnumerateArray().Select(g => Text(g, "name")));
        Assert.Equal("2", goals[0].GetProperty("properties").GetProperty("step").GetString());
        Assert.Equal(["form_submit", "purchase"], (await admin.GetJsonAsync("/api/tenants/current")).GetProperty("conversion_goals").EnumerateArray().Select(g => g.GetString()));

        await admin.PostJsonAsync("/marketing/events", Events(
            new { event_type = "form_submit", visitor_id = "n", timestamp = At(0), properties = new { form = "newsletter", step = 2 } },
            new { event_type = "form_submit", visitor_id = "q", timestamp = At(0), properties = new { form = "quote", step = 2 } }));
        var sessions = await SessionsAsync(admin);
        Assert.Equal([("n", false), ("q", true)], sessions.Select(s => (Text(s, "visitor_id"), s.GetProperty("converted").GetBoolean())).OrderBy(s => s.Item1));
        Assert.Equal("Quote form", Text(sessions.Single(s => Text(s, "visitor_id") == "q"), "conversion_type"));

        foreach (var (body, field) in new[]
        {
            ("[]", "goals"), ("""[{"event_type":"Bad Type"}]""", "goals[0].event_type"), ("""[{"name":"x"}]""", "goals[0].event_type"),
            ("""["purchase",{"event_type":"purchase"}]""", "goals[1]"), ("""[{"event_type":"signup","colour":"red"}]""", "goals[0].colour"),
            ("""[{"event_type":"signup","properties":{"plan":["a"]}}]""", "goals[0].properties.plan"),
        })
        {
            using var refused = await admin.PutAsync("/api/goals", Http.Json(body));
            await refused.AssertProblemAsync(400, field);
        }
        using var viewer = server.WithKey(await server.CreateKeyAsync("sessions-goals", "viewer"));
        using var forbidden = await viewer.PutAsync("/api/goals", Http.Json("""["purchase"]"""));
        Assert.Equal(403, (int)forbidden.StatusCode);
        Assert.Equal(2, (await admin.GetJsonAsync("/api/goals")).GetArrayLength());
    }

    [BackendFact]
    public async Task A_persons_journeys_span_every_linked_device_count_each_order_once_and_stay_within_the_tenant()
    {
        var tenant = await server.CreateTenantAsync("journeys");
        var other = await server.CreateTenantAsync("journeys-other");
        using var admin = server.WithKey(tenant.AdminKey);
        using var otherAdmin = server.WithKey(other.AdminKey);
        const double Day = 24 * 60;
        await admin.PostJsonAsync("/marketing/events", Events(
            // The phone finds the shop on Google.
            new { event_type = "page_view", visitor_id = "phone", timestamp = At(0), page_url = "https://shop.example/", referrer_url = "https://www.google.com/" },
            new { event_type = "page_view", visitor_id = "phone", timestamp = At(1), page_url = "https://shop.example/b", referrer_url = "https://shop.example/" },
            // Two days later the laptop comes from the newsletter and buys; its events carry the user id.
            new { event_type = "page_view", visitor_id = "laptop", timestamp = At(2 * Day), page_url = "https://shop.example/sale", utm_source = "newsletter", utm_medium = "email", utm_campaign = "march" },
            new { event_type = "purchase", visitor_id = "laptop", user_id = "u-1", timestamp = At(2 * Day + 5), order_id = "o-7", revenue = new { amount = "120.00", currency = "eur" } },
            // The shop's backend reports the same order again, and later a second one, by user id only.
            new { event_type = "purchase", user_id = "u-1", timestamp = At(2 * Day + 6), order_id = "o-7", revenue = new { amount = 120, currency = "EUR" } },
            new { event_type = "page_view", visitor_id = "laptop", timestamp = At(5 * Day), page_url = "https://shop.example/new", referrer_url = "https://t.co/abc" },
            new { event_type = "purchase", user_id = "u-1", timestamp = At(5 * Day + 10), order_id = "o-8", revenue = 30, currency = "EUR" },
            new { event_type = "page_view", visitor_id = "phone", timestamp = At(9 * Day), page_url = "https://shop.example/" },
            // Someone else entirely.
            new { event_type = "purchase", visitor_id = "stranger", timestamp = At(3 * Day), order_id = "o-9" }));
        await admin.PostJsonAsync("/api/identify", """{"visitor_id":"phone","user_id":"u-1"}""", 200);

        var person = await admin.GetJsonAsync("/api/v1/analytics/journeys/u-1");

        Assert.Equal(["laptop", "phone"], person.GetProperty("visitors").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(2, person.GetProperty("total_conversions").GetInt32());
        var journeys = person.GetProperty("journeys").EnumerateArray().ToArray();
        Assert.Equal(3, journeys.Length);

        var first = journeys[0];
        Assert.Equal([("Organic Search", "phone", "https://shop.example/"), ("Email", "laptop", "https://shop.example/sale")],
            first.GetProperty("touchpoints").EnumerateArray().Select(t => (Text(t, "channel"), Text(t, "visitor_id"), Text(t, "landing_page"))));
        Assert.Equal(("Organic Search", "Email", 2), (Text(first, "first_touch_channel"), Text(first, "last_touch_channel"), first.GetProperty("total_touchpoints").GetInt32()));
        Assert.Equal((long)(2 * Day + 5), first.GetProperty("journey_duration_minutes").GetInt64());
        var conversion = first.GetProperty("conversion");
        Assert.Equal(("o-7", 120m, "EUR", "laptop"), (Text(conversion, "order_id"), conversion.GetProperty("value").GetDecimal(), Text(conversion, "currency"), Text(conversion, "visitor_id")));
        Assert.Equal(T0.AddMinutes(2 * Day + 5), conversion.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(("march", "page_view"), (Text(first.GetProperty("touchpoints")[1], "campaign"), Text(first.GetProperty("touchpoints")[1], "touchpoint_type")));

        // The second order came from the backend ten minutes into the laptop's visit from Twitter.
        var second = journeys[1];
        Assert.Equal(["Organic Social"], second.GetProperty("touchpoints").EnumerateArray().Select(t => Text(t, "channel")));
        Assert.Equal(("o-8", 30m, 10L), (Text(second.GetProperty("conversion"), "order_id"), second.GetProperty("conversion").GetProperty("value").GetDecimal(),
            second.GetProperty("journey_duration_minutes").GetInt64()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("conversion").GetProperty("visitor_id").ValueKind);

        var open = journeys[2];
        Assert.Equal(JsonValueKind.Null, open.GetProperty("conversion").ValueKind);
        Assert.Equal([("Direct", "phone")], open.GetProperty("touchpoints").EnumerateArray().Select(t => (Text(t, "channel"), Text(t, "visitor_id"))));

        var elsewhere = await otherAdmin.GetJsonAsync("/api/v1/analytics/journeys/u-1");
        Assert.Empty(elsewhere.GetProperty("journeys").EnumerateArray());
        Assert.Empty(elsewhere.GetProperty("visitors").EnumerateArray());
        Assert.Empty(await SessionsAsync(otherAdmin));
        var unknown = await admin.GetJsonAsync("/api/v1/analytics/journeys/nobody");
        Assert.Empty(unknown.GetProperty("journeys").EnumerateArray());
    }

    [BackendFact]
    public async Task A_visit_continued_over_several_requests_equals_the_same_visit_sent_at_once()
    {
        var tenant = await server.CreateTenantAsync("sessions-continued");
        using var admin = server.WithKey(tenant.AdminKey);
        object Visit(string visitor, double minutes, string type = "page_view", string? source = null) => new
        {
            event_type = type, visitor_id = visitor, timestamp = At(minutes), page_url = $"https://shop.example/{minutes}",
            utm_source = source, utm_medium = source is null ? null : "cpc", order_id = type == "purchase" ? "o-1" : null,
        };
        double[][] steps = [[0, 2], [3, 4], [10], [45, 46], [47]];
        foreach (var step in steps)
        {
            // A read between requests makes each a round of the builder of its own, continuing what it keeps open.
            await admin.PostJsonAsync("/marketing/events", Events(step.Select(m => Visit("stepwise", m, m == 4 || m == 47 ? "purchase" : "page_view",
                m == 3 ? "google" : null)).ToArray()));
            await SessionsAsync(admin, "?visitor_id=stepwise");
        }
        await admin.PostJsonAsync("/marketing/events", Events(steps.SelectMany(s => s).Select(m => Visit("at-once", m, m == 4 || m == 47 ? "purchase" : "page_view",
            m == 3 ? "google" : null)).ToArray()));

        var stepwise = await SessionsAsync(admin, "?visitor_id=stepwise");
        var atOnce = await SessionsAsync(admin, "?visitor_id=at-once");

        // 0-2 direct; 3 from Google begins a session running to 10; 45 after a pause begins the third.
        Assert.Equal([(2, 0), (3, 1), (3, 1)], stepwise.Reverse().Select(s => (s.GetProperty("events").GetInt32(), s.GetProperty("conversions").GetInt32())));
        string Comparable(JsonElement s) => string.Join("|", s.EnumerateObject().Where(p => p.Name is not ("id" or "visitor_id")).Select(p => p.Value.GetRawText()));
        Assert.Equal(atOnce.Select(Comparable), stepwise.Select(Comparable));
    }

    [BackendFact]
    public async Task Events_of_one_visitor_sent_concurrently_and_in_any_order_give_the_same_sessions()
    {
        var tenant = await server.CreateTenantAsync("sessions-concurrent");
        using var admin = server.WithKey(tenant.AdminKey);
        // 60 visits of 5 events each, 45 minutes apart, alternating sources; sent shuffled over 10 parallel requests.
        string[] sources = ["google", "facebook", "newsletter"];
        var events = Enumerable.Range(0, 300).Select(i => new
        {
            event_type = "page_view",
            visitor_id = "busy",
            timestamp = At(i / 5 * 45 + i % 5),
            utm_source = i % 5 == 0 ? sources[i / 5 % 3] : null,
            utm_medium = i % 5 == 0 ? "referral" : null,
        }).ToArray();
        var shuffled = events.OrderBy(_ => Random.Shared.Next()).ToArray();
        await Task.WhenAll(shuffled.Chunk(30).Select(chunk => admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(chunk))));

        var sessions = await SessionsAsync(admin, "?limit=1000");

        Assert.Equal(60, sessions.Length);
        Assert.All(sessions, s => Assert.Equal((5, 240L), (s.GetProperty("events").GetInt32(), s.GetProperty("duration").GetInt64())));
        Assert.Equal(Enumerable.Range(0, 60).Reverse().Select(v => sources[v % 3]), sessions.Select(s => Text(s, "source")));
    }

    private static string? Text(JsonElement element, string name) =>
        element.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}

[NeedsServers]
public sealed class SessionsApiOnSqlite(TestServer server) : SessionsApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class SessionsApiOnPostgres(PostgresTestServer server) : SessionsApiTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class SessionsApiOnClickHouse(ClickHouseTestServer server) : SessionsApiTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class SessionsApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : SessionsApiTests(server), IClassFixture<PostgresClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class SessionsApiOnClickHouseCluster(ClickHouseClusterTestServer server) : SessionsApiTests(server), IClassFixture<ClickHouseClusterTestServer>;
