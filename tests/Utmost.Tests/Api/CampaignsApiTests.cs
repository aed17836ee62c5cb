using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

public abstract class CampaignsApiTests(TestServer server)
{
    private const string SeedCampaign = """
        {
          "campaign_name": "Summer Solar Sale 2025",
          "campaign_type": "ppc",
          "status": "active",
          "start_date": "2025-06-01T00:00:00Z",
          "end_date": "2025-08-31T23:59:59Z",
          "budget": 10000.00,
          "utm_campaign": "summer_2025",
          "utm_source": "google",
          "utm_medium": "cpc",
          "target_audience": {
            "location": "USA",
            "age_range": "25-54",
            "interests": ["solar", "renewable_energy"]
          }
        }
        """;

    [BackendFact]
    public async Task The_seeds_campaign_is_created_patched_read_and_soft_deleted()
    {
        var tenant = await server.CreateTenantAsync("campaign-crud");
        using var admin = server.WithKey(tenant.AdminKey);

        var created = await admin.PostJsonAsync("/marketing/campaigns", SeedCampaign);
        var id = created.GetProperty("id").GetString();
        Assert.Equal(10000.00m, created.GetProperty("budget").GetDecimal());
        Assert.Equal(0m, created.GetProperty("spent").GetDecimal());
        Assert.Equal("renewable_energy", created.GetProperty("target_audience").GetProperty("interests")[1].GetString());

        using (var patch = await admin.PatchAsync($"/marketing/campaigns/{id}",
            Http.Json("""{"status":"paused","spent":5000.00,"metrics":{"clicks":1500,"impressions":50000}}""")))
        {
            var patched = await patch.ReadJsonAsync();
            Assert.Equal(200, (int)patch.StatusCode);
            Assert.Equal("paused", patched.GetProperty("status").GetString());
            Assert.Equal(5000.00m, patched.GetProperty("spent").GetDecimal());
            Assert.Equal("Summer Solar Sale 2025", patched.GetProperty("campaign_name").GetString());
            Assert.Equal("summer_2025", patched.GetProperty("utm_campaign").GetString());
        }
        var read = await admin.GetJsonAsync($"/marketing/campaigns/{id}");
        Assert.Equal(1500, read.GetProperty("metrics").GetProperty("clicks").GetInt32());
        Assert.Equal(1, (await admin.GetJsonAsync("/marketing/campaigns?status=paused")).GetArrayLength());
        Assert.Equal(0, (await admin.GetJsonAsync("/marketing/campaigns?status=active")).GetArrayLength());

        using (var delete = await admin.DeleteAsync($"/marketing/campaigns/{id}"))
        {
            Assert.Equal(204, (int)delete.StatusCode);
        }
        using (var gone = await admin.GetAsync($"/marketing/campaigns/{id}"))
        {
            await gone.AssertProblemAsync(404);
        }
        using (var again = await admin.DeleteAsync($"/marketing/campaigns/{id}"))
        {
            await again.AssertProblemAsync(404);
        }
        using (var patchDeleted = await admin.PatchAsync($"/marketing/campaigns/{id}", Http.Json("""{"status":"active"}""")))
        {
            await patchDeleted.AssertProblemAsync(404);
        }
        Assert.Equal(0, (await admin.GetJsonAsync("/marketing/campaigns")).GetArrayLength());
    }

    [BackendFact]
    public async Task A_patch_that_puts_end_before_the_stored_start_is_refused_and_changes_nothing()
    {
        var tenant = await server.CreateTenantAsync("campaign-dates");
        using var admin = server.WithKey(tenant.AdminKey);
        var id = (await admin.PostJsonAsync("/marketing/campaigns", SeedCampaign)).GetProperty("id").GetString();

        using var response = await admin.PatchAsync($"/marketing/campaigns/{id}", Http.Json("""{"end_date":"2025-05-01","status":"completed"}"""));

        await response.AssertProblemAsync(400, "end_date");
        Assert.Equal("active", (await admin.GetJsonAsync($"/marketing/campaigns/{id}")).GetProperty("status").GetString());
    }

    [BackendFact]
    public async Task Campaign_lists_page_with_default_fifty_and_maximum_two_hundred()
    {
        var tenant = await server.CreateTenantAsync("campaign-paging");
        using var admin = server.WithKey(tenant.AdminKey);
        for (var i = 0; i < 60; i++)
        {
            await admin.PostJsonAsync("/marketing/campaigns", $$"""{"campaign_name":"c{{i}}","status":"draft"}""");
        }

        var firstPage = await admin.GetJsonAsync("/marketing/campaigns");
        var rest = await admin.GetJsonAsync("/marketing/campaigns?offset=50&limit=200");

        Assert.Equal(50, firstPage.GetArrayLength());
        Assert.Equal(10, rest.GetArrayLength());
        Assert.Equal("c59", firstPage[0].GetProperty("campaign_name").GetString());
        var all = firstPage.EnumerateArray().Concat(rest.EnumerateArray()).Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal(60, all.Distinct().Count());
    }

    [BackendFact]
    public async Task Roi_counts_the_campaigns_leads_and_divides_spend_by_them()
    {
        var tenant = await server.CreateTenantAsync("campaign-roi");
        using var admin = server.WithKey(tenant.AdminKey);
        var id = (await admin.PostJsonAsync("/marketing/campaigns", SeedCampaign)).GetProperty("id").GetString();
        using (await admin.PatchAsync($"/marketing/campaigns/{id}", Http.Json("""{"spent":1000.00}""")))
        {
        }
        await admin.PostJsonAsync("/marketing/events", """
            [{"event_type":"lead_created","utm_campaign":"summer_2025"},
             {"event_type":"lead_created","utm_campaign":"summer_2025"},
             {"event_type":"lead_created","utm_campaign":"summer_2025"},
             {"event_type":"page_view","utm_campaign":"summer_2025"},
             {"event_type":"lead_created","utm_campaign":"other"}]
            """);

        var roi = await admin.GetJsonAsync($"/marketing/campaigns/{id}/roi");

        Assert.Equal("Summer Solar Sale 2025", roi.GetProperty("campaign_name").GetString());
        Assert.Equal(3, roi.GetProperty("leads").GetInt64());
        Assert.Equal(333.33m, roi.GetProperty("cost_per_lead").GetDecimal());
        Assert.Equal(10000m, roi.GetProperty("budget").GetDecimal());
        Assert.Equal(1000m, roi.GetProperty("spent").GetDecimal());
    }

    [BackendFact]
    public async Task A_viewer_can_read_but_not_write_campaigns()
    {
        var tenant = await server.CreateTenantAsync("campaign-roles");
        var viewer = await server.CreateKeyAsync("campaign-roles", "viewer");
        var marketer = await server.CreateKeyAsync("campaign-roles", "marketer");
        using var viewerClient = server.WithKey(viewer);
        using var marketerClient = server.WithKey(marketer);

        using (var refused = await viewerClient.PostAsync("/marketing/campaigns", Http.Json(SeedCampaign)))
        {
            await refused.AssertProblemAsync(403);
        }
        await marketerClient.PostJsonAsync("/marketing/campaigns", SeedCampaign);
        Assert.Equal(1, (await viewerClient.GetJsonAsync("/marketing/campaigns")).GetArrayLength());
        Assert.Equal(JsonValueKind.Array, (await viewerClient.GetJsonAsync("/marketing/campaigns/statuses")).ValueKind);
        Assert.Equal(tenant.Tenant.Slug, (await viewerClient.GetJsonAsync("/api/tenants/current")).GetProperty("slug").GetString());
    }

    [BackendFact]
    public async Task The_enumerations_are_the_seeds()
    {
        using var admin = server.Admin();
        Assert.Equal(["draft", "active", "paused", "completed", "archived"],
            (await admin.GetJsonAsync("/marketing/campaigns/statuses")).EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["page_view", "button_click", "form_submit", "lead_created", "quote_requested", "job_created", "phone_call", "email_sent", "chat_started"],
            (await admin.GetJsonAsync("/marketing/events/types")).EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["organic_search", "paid_search", "social_media", "referral", "direct", "email", "display_ads", "affiliate", "other"],
            (await admin.GetJsonAsync("/marketing/events/sources")).EnumerateArray().Select(s => s.GetString()));
    }
}

[NeedsServers]
public sealed class CampaignsApiOnSqlite(TestServer server) : CampaignsApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class CampaignsApiOnPostgres(PostgresTestServer server) : CampaignsApiTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class CampaignsApiOnClickHouse(ClickHouseTestServer server) : CampaignsApiTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class CampaignsApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : CampaignsApiTests(server), IClassFixture<PostgresClickHouseTestServer>;
