using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>Two tenants on one server: neither can see or change the other's data through any endpoint.</summary>
public abstract class TenantIsolationTests(TestServer server)
{
    [BackendFact]
    public async Task No_endpoint_lets_one_tenant_see_or_change_anothers_data()
    {
        var alpha = await server.CreateTenantAsync("alpha");
        var beta = await server.CreateTenantAsync("beta");
        using var alphaAdmin = server.WithKey(alpha.AdminKey);
        using var betaAdmin = server.WithKey(beta.AdminKey);

        var eventId = (await alphaAdmin.PostJsonAsync("/marketing/event",
            """{"event_type":"lead_created","utm_source":"google","utm_campaign":"secret","session_id":"alpha-s"}""")).GetProperty("id").GetString();
        var campaignId = (await alphaAdmin.PostJsonAsync("/marketing/campaigns",
            """{"campaign_name":"Alpha secret","utm_campaign":"secret","spent":10}""")).GetProperty("id").GetString();

        // Reads by id: 404, exactly as if the row did not exist.
        foreach (var path in new[] { $"/marketing/events/{eventId}", $"/marketing/campaigns/{campaignId}", $"/marketing/campaigns/{campaignId}/roi" })
        {
            using var response = await betaAdmin.GetAsync(path);
            await response.AssertProblemAsync(404);
        }
        // Lists and aggregates: nothing of alpha's.
        Assert.Equal(0, (await betaAdmin.GetJsonAsync("/marketing/events?session_id=alpha-s")).GetArrayLength());
        Assert.Equal(0, (await betaAdmin.GetJsonAsync("/marketing/events")).GetArrayLength());
        Assert.Equal(0, (await betaAdmin.GetJsonAsync("/marketing/campaigns")).GetArrayLength());
        Assert.Equal(0, await betaAdmin.TotalEventsAsync());
        Assert.Equal(0, (await betaAdmin.GetJsonAsync("/marketing/metrics/conversion-rates")).GetArrayLength());
        Assert.Equal("beta", (await betaAdmin.GetJsonAsync("/api/tenants/current")).GetProperty("slug").GetString());
        // Naming the other tenant explicitly does not help.
        using (var named = await betaAdmin.GetAsync($"/marketing/events?tenant_id={alpha.Tenant.Id}"))
        {
            await named.AssertProblemAsync(400, "tenant_id");
        }
        using (var namedMetrics = await betaAdmin.GetAsync("/marketing/metrics?tenant_id=alpha"))
        {
            await namedMetrics.AssertProblemAsync(400, "tenant_id");
        }
        // Writes: 404 and no change.
        using (var patch = await betaAdmin.PatchAsync($"/marketing/campaigns/{campaignId}", Http.Json("""{"status":"archived"}""")))
        {
            await patch.AssertProblemAsync(404);
        }
        using (var deleteCampaign = await betaAdmin.DeleteAsync($"/marketing/campaigns/{campaignId}"))
        {
            await deleteCampaign.AssertProblemAsync(404);
        }
        using (var deleteEvent = await betaAdmin.DeleteAsync($"/marketing/events/{eventId}"))
        {
            await deleteEvent.AssertProblemAsync(404);
        }
        // Sending events with alpha's site key under beta's key is refused.
        using (var crossIngest = await betaAdmin.PostAsync($"/marketing/event?site={alpha.Tenant.SiteKey}", Http.Json("""{"event_type":"page_view"}""")))
        {
            await crossIngest.AssertProblemAsync(400, "site");
        }
        // The same event_id in two tenants is two events: idempotency keys are per tenant.
        var alphaRetry = await alphaAdmin.PostJsonAsync("/marketing/event", """{"event_type":"page_view","event_id":"shared-id"}""");
        var betaRetry = await betaAdmin.PostJsonAsync("/marketing/event", """{"event_type":"page_view","event_id":"shared-id"}""");
        Assert.NotEqual(alphaRetry.GetProperty("id").GetString(), betaRetry.GetProperty("id").GetString());

        Assert.Equal("active", (await alphaAdmin.GetJsonAsync($"/marketing/campaigns/{campaignId}")).GetProperty("status").GetString());
        Assert.Equal("lead_created", (await alphaAdmin.GetJsonAsync($"/marketing/events/{eventId}")).GetProperty("event_type").GetString());
        Assert.Equal(2, await alphaAdmin.TotalEventsAsync());
        Assert.Equal(1, await betaAdmin.TotalEventsAsync());
    }
}

[NeedsServers]
public sealed class TenantIsolationOnSqlite(TestServer server) : TenantIsolationTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class TenantIsolationOnPostgres(PostgresTestServer server) : TenantIsolationTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class TenantIsolationOnClickHouse(ClickHouseTestServer server) : TenantIsolationTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class TenantIsolationOnPostgresClickHouse(PostgresClickHouseTestServer server) : TenantIsolationTests(server), IClassFixture<PostgresClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class TenantIsolationOnClickHouseCluster(ClickHouseClusterTestServer server) : TenantIsolationTests(server), IClassFixture<ClickHouseClusterTestServer>;
