using System.Net;
using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

public sealed class IngestionApiTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task The_seeds_curl_example_is_accepted_without_credentials_and_enriched()
    {
        using var anonymous = server.Anonymous();
        var created = await anonymous.PostJsonAsync("/marketing/event", """
            {
              "event_type": "page_view",
              "page_url": "https://example.com/",
              "utm_source": "google",
              "utm_medium": "cpc",
              "utm_campaign": "test_campaign"
            }
            """);

        Assert.Equal("page_view", created.GetProperty("event_type").GetString());
        Assert.Equal("paid_search", created.GetProperty("lead_source").GetString());
        Assert.Equal("127.0.0.0", created.GetProperty("ip_address").GetString());
        using var admin = server.Admin();
        var stored = await admin.GetJsonAsync($"/marketing/events/{created.GetProperty("id").GetString()}");
        Assert.Equal("test_campaign", stored.GetProperty("utm_campaign").GetString());
        Assert.Equal("https://example.com/", stored.GetProperty("page_url").GetString());
    }

    [Fact]
    public async Task A_stated_lead_source_is_kept_and_a_missing_one_is_derived_from_the_referrer()
    {
        using var anonymous = server.Anonymous();
        var stated = await anonymous.PostJsonAsync("/marketing/event",
            """{"event_type":"lead_created","utm_source":"google","utm_medium":"cpc","lead_source":"affiliate"}""");
        var derived = await anonymous.PostJsonAsync("/marketing/event",
            """{"event_type":"page_view","page_url":"https://shop.example/","referrer_url":"https://www.google.co.uk/search?q=x"}""");

        Assert.Equal("affiliate", stated.GetProperty("lead_source").GetString());
        Assert.Equal("organic_search", derived.GetProperty("lead_source").GetString());
    }

    [Fact]
    public async Task A_retry_with_the_same_event_id_is_stored_once_and_answered_the_same()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        const string body = """{"event_type":"form_submit","event_id":"retry-1","session_id":"retry-session"}""";

        var first = await anonymous.PostJsonAsync("/marketing/event", body);
        var second = await anonymous.PostJsonAsync("/marketing/event", body);
        var batch = await anonymous.PostJsonAsync("/marketing/events", $"[{body},{body}]");

        Assert.Equal(first.GetRawText(), second.GetRawText());
        var id = first.GetProperty("id").GetString();
        Assert.All(batch.GetProperty("ids").EnumerateArray(), stored => Assert.Equal(id, stored.GetString()));
        var listed = await admin.GetJsonAsync("/marketing/events?session_id=retry-session");
        Assert.Equal(1, listed.GetArrayLength());
    }

    [Fact]
    public async Task A_batch_answers_with_one_id_per_event_in_order()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        var events = Enumerable.Range(0, 250).Select(i => new { event_type = "button_click", event_name = $"b{i}", session_id = "batch-order" });

        var answer = await anonymous.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(events));

        Assert.Equal(250, answer.GetProperty("accepted").GetInt32());
        var ids = answer.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(250, ids.Distinct().Count());
        var fifth = await admin.GetJsonAsync($"/marketing/events/{ids[5]}");
        Assert.Equal("b5", fifth.GetProperty("event_name").GetString());
    }

    [Fact]
    public async Task Lead_and_user_ids_come_back_as_given_number_or_string()
    {
        using var anonymous = server.Anonymous();
        var number = await anonymous.PostJsonAsync("/marketing/events", """{"event_type":"lead_created","lead_id":123,"user_id":7}""");
        var text = await anonymous.PostJsonAsync("/marketing/events", """{"event_type":"lead_created","lead_id":"L-9"}""");

        Assert.Equal(JsonValueKind.Number, number.GetProperty("lead_id").ValueKind);
        Assert.Equal(123, number.GetProperty("lead_id").GetInt32());
        Assert.Equal(7, number.GetProperty("user_id").GetInt32());
        Assert.Equal("L-9", text.GetProperty("lead_id").GetString());
    }

    [Fact]
    public async Task A_backfilled_timestamp_is_kept_and_one_too_far_in_the_future_is_refused()
    {
        using var anonymous = server.Anonymous();
        var past = await anonymous.PostJsonAsync("/marketing/event", """{"event_type":"page_view","timestamp":"2025-06-01T10:00:00+02:00"}""");
        Assert.Equal("2025-06-01T08:00:00.000Z", past.GetProperty("created_at").GetString());

        var future = DateTimeOffset.UtcNow.AddHours(2).ToString("O");
        using var response = await anonymous.PostAsync("/marketing/event", Http.Json($$"""{"event_type":"page_view","timestamp":"{{future}}"}"""));
        await response.AssertProblemAsync(400, "timestamp");
    }

    [Fact]
    public async Task Forwarded_for_is_ignored_unless_the_proxy_is_trusted()
    {
        using var anonymous = server.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/marketing/event") { Content = Http.Json("""{"event_type":"page_view"}""") };
        request.Headers.Add("X-Forwarded-For", "203.0.113.77");
        using var response = await anonymous.SendAsync(request);
        var stored = await response.ReadJsonAsync();

        Assert.Equal("127.0.0.0", stored.GetProperty("ip_address").GetString());
    }

    [Fact]
    public async Task A_browser_cannot_claim_an_ip_but_a_keyed_server_side_sender_can()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        const string body = """{"event_type":"page_view","ip_address":"198.51.100.23","user_agent":"Server SDK"}""";

        var fromBrowser = await anonymous.PostJsonAsync("/marketing/event", body);
        var fromServer = await admin.PostJsonAsync("/marketing/event", body);

        Assert.Equal("127.0.0.0", fromBrowser.GetProperty("ip_address").GetString());
        Assert.Equal("198.51.100.0", fromServer.GetProperty("ip_address").GetString());
        Assert.Equal("Server SDK", fromServer.GetProperty("user_agent").GetString());
    }

    [Fact]
    public async Task The_seeds_tenant_id_and_created_at_columns_are_accepted_and_checked()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        var tenant = (await admin.GetJsonAsync("/api/tenants/current")).GetProperty("id").GetString();

        var bySlug = await anonymous.PostJsonAsync("/marketing/event", """{"event_type":"page_view","tenant_id":"default","created_at":"2025-03-04T05:06:07Z"}""");
        var byId = await anonymous.PostJsonAsync("/marketing/event", $$"""{"event_type":"page_view","tenant_id":"{{tenant}}"}""");

        Assert.Equal("2025-03-04T05:06:07.000Z", bySlug.GetProperty("created_at").GetString());
        Assert.Equal(tenant, byId.GetProperty("tenant_id").GetString());
        using var wrongTenant = await anonymous.PostAsync("/marketing/events", Http.Json("""[{"event_type":"page_view"},{"event_type":"page_view","tenant_id":"someone-else"}]"""));
        await wrongTenant.AssertProblemAsync(400, "[1].tenant_id");
        using var serverOwned = await anonymous.PostAsync("/marketing/event", Http.Json("""{"event_type":"page_view","id":"mine"}"""));
        await serverOwned.AssertProblemAsync(400, "id");
    }

    [Fact]
    public async Task The_sendbeacon_content_type_text_plain_is_accepted()
    {
        using var anonymous = server.Anonymous();
        using var response = await anonymous.PostAsync("/marketing/event", Http.Json("""{"event_type":"page_view"}""", "text/plain"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

/// <summary>With two tenants, an event must name its tenant; the site key or an API key decides which.</summary>
public abstract class MultiTenantIngestionTests(TestServer server)
{
    [BackendFact]
    public async Task Events_go_to_the_tenant_their_site_or_key_names_and_unnamed_ones_are_refused()
    {
        using var anonymous = server.Anonymous();
        using var defaultAdmin = server.Admin();
        var acme = await server.CreateTenantAsync("acme");
        using var acmeAdmin = server.WithKey(acme.AdminKey);
        var defaultEventsBefore = await defaultAdmin.TotalEventsAsync();
        await Task.Delay(1100); // the sole-tenant answer is cached for a second

        using (var unnamed = await anonymous.PostAsync("/marketing/event", Http.Json("""{"event_type":"page_view"}""")))
        {
            await unnamed.AssertProblemAsync(400, "site");
        }
        await anonymous.PostJsonAsync("/marketing/event", $$"""{"event_type":"page_view","site":"{{acme.Tenant.SiteKey}}"}""");
        await anonymous.PostJsonAsync($"/marketing/events?site={acme.Tenant.SiteKey}", """[{"event_type":"page_view"},{"event_type":"lead_created"}]""");
        await acmeAdmin.PostJsonAsync("/marketing/event", """{"event_type":"job_created"}""");

        Assert.Equal(4, await acmeAdmin.TotalEventsAsync());
        Assert.Equal(defaultEventsBefore, await defaultAdmin.TotalEventsAsync());

        using var unknownSite = await anonymous.PostAsync("/marketing/event", Http.Json("""{"event_type":"page_view","site":"site_nope"}"""));
        await unknownSite.AssertProblemAsync(400, "site");
        using var mismatch = await defaultAdmin.PostAsync("/marketing/event", Http.Json($$"""{"event_type":"page_view","site":"{{acme.Tenant.SiteKey}}"}"""));
        await mismatch.AssertProblemAsync(400, "site");
        using var mixed = await anonymous.PostAsync($"/marketing/events?site={acme.Tenant.SiteKey}", Http.Json("""[{"event_type":"page_view","site":"site_other"}]"""));
        await mixed.AssertProblemAsync(400, "[0].site");
        Assert.Equal(4, await acmeAdmin.TotalEventsAsync());
    }

    [BackendFact]
    public async Task A_viewer_key_cannot_send_events_and_a_wrong_key_is_unauthorized()
    {
        var viewer = await server.CreateKeyAsync("default", "viewer");
        var ingest = await server.CreateKeyAsync("default", "ingest");
        using var viewerClient = server.WithKey(viewer);
        using var ingestClient = server.WithKey(ingest);
        using var wrong = server.WithKey("utm_not_a_real_key_000000000000000000000");

        using (var refused = await viewerClient.PostAsync("/marketing/event", Http.Json("""{"event_type":"page_view"}""")))
        {
            await refused.AssertProblemAsync(403);
        }
        using (var unauthorized = await wrong.PostAsync("/marketing/event", Http.Json("""{"event_type":"page_view"}""")))
        {
            await unauthorized.AssertProblemAsync(401);
        }
        await ingestClient.PostJsonAsync("/marketing/event", """{"event_type":"page_view","session_id":"ingest-key"}""");
        using (var ingestCannotRead = await ingestClient.GetAsync("/marketing/events"))
        {
            await ingestCannotRead.AssertProblemAsync(403);
        }
        using var admin = server.Admin();
        Assert.Equal(1, (await admin.GetJsonAsync("/marketing/events?session_id=ingest-key")).GetArrayLength());
    }
}

[NeedsServers]
public sealed class MultiTenantIngestionOnSqlite(TestServer server) : MultiTenantIngestionTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class MultiTenantIngestionOnPostgres(PostgresTestServer server) : MultiTenantIngestionTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class MultiTenantIngestionOnClickHouse(ClickHouseTestServer server) : MultiTenantIngestionTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class MultiTenantIngestionOnPostgresClickHouse(PostgresClickHouseTestServer server) : MultiTenantIngestionTests(server), IClassFixture<PostgresClickHouseTestServer>;
