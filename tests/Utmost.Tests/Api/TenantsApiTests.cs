using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

public abstract class TenantsApiTests(TestServer server)
{
    [BackendFact]
    public async Task The_current_tenant_is_shown_and_only_an_admin_changes_its_settings()
    {
        using var admin = server.Admin();
        using var marketer = server.WithKey(await server.CreateKeyAsync("default", "marketer"));

        var current = await admin.GetJsonAsync("/api/tenants/current");
        Assert.Equal("default", current.GetProperty("slug").GetString());
        Assert.Equal("UTC", current.GetProperty("time_zone").GetString());
        Assert.StartsWith("site_", current.GetProperty("site_key").GetString());
        Assert.Equal(["quote_requested", "job_created", "purchase"], current.GetProperty("conversion_goals").EnumerateArray().Select(g => g.GetString()));

        using (var refused = await marketer.PatchAsync("/api/tenants/current", Http.Json("""{"time_zone":"Europe/Berlin"}""")))
        {
            await refused.AssertProblemAsync(403);
        }
        using (var badZone = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"time_zone":"Mars/Olympus"}""")))
        {
            await badZone.AssertProblemAsync(400, "time_zone");
        }
        using (var badGoal = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"conversion_goals":["Purchase!"]}""")))
        {
            await badGoal.AssertProblemAsync(400, "conversion_goals[0]");
        }
        using (var changed = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"time_zone":"Europe/Berlin","conversion_goals":["purchase","signup"]}""")))
        {
            Assert.Equal(200, (int)changed.StatusCode);
        }
        var after = await marketer.GetJsonAsync("/api/tenants/current");
        Assert.Equal("Europe/Berlin", after.GetProperty("time_zone").GetString());
        Assert.Equal(["purchase", "signup"], after.GetProperty("conversion_goals").EnumerateArray().Select(g => g.GetString()));
    }

    [BackendFact]
    public async Task Health_and_the_openapi_document_describe_the_service()
    {
        using var anonymous = server.Anonymous();
        Assert.Equal("Healthy", (await anonymous.GetJsonAsync("/health/ready")).GetProperty("status").GetString());
        Assert.Equal("Healthy", (await anonymous.GetJsonAsync("/health/live")).GetProperty("status").GetString());

        var paths = (await anonymous.GetJsonAsync("/openapi/v1.json")).GetProperty("paths");
        string[] expected =
        [
            "/marketing/event", "/marketing/events", "/marketing/events/{event_id}", "/marketing/events/types", "/marketing/events/sources",
            "/marketing/metrics", "/marketing/metrics/conversion-rates", "/marketing/campaigns", "/marketing/campaigns/{campaign_id}",
            "/marketing/campaigns/statuses", "/marketing/campaigns/{campaign_id}/roi", "/api/tenants/current",
        ];
        foreach (var path in expected)
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the OpenAPI document lacks {path}");
        }
        var events = paths.GetProperty("/marketing/events");
        Assert.True(events.TryGetProperty("get", out _) && events.TryGetProperty("post", out _));
        var campaign = paths.GetProperty("/marketing/campaigns/{campaign_id}");
        Assert.True(campaign.TryGetProperty("patch", out _) && campaign.TryGetProperty("delete", out _));
    }
}

[NeedsServers]
public sealed class TenantsApiOnSqlite(TestServer server) : TenantsApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class TenantsApiOnPostgres(PostgresTestServer server) : TenantsApiTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class TenantsApiOnClickHouse(ClickHouseTestServer server) : TenantsApiTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class TenantsApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : TenantsApiTests(server), IClassFixture<PostgresClickHouseTestServer>;
