using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>A tenant's own channel rules: stored with the tenant, used by ingestion and classify, never by other tenants.</summary>
public abstract class ChannelRulesApiTests(TestServer server)
{
    private const string Rules = """
        [
          {"name": "Newsletter", "lead_source": "email", "medium_pattern": "newsletter|digest"},
          {"name": "Old partners", "source_pattern": "partner-.*", "is_active": false}
        ]
        """;

    [BackendFact]
    public async Task Rules_are_kept_in_order_and_decide_the_channel_before_the_defaults()
    {
        var tenant = await server.CreateTenantAsync("rules-own");
        var other = await server.CreateTenantAsync("rules-other");
        using var admin = server.WithKey(tenant.AdminKey);
        using var otherAdmin = server.WithKey(other.AdminKey);

        using (var put = await admin.PutAsync("/api/channels/rules", Http.Json(Rules)))
        {
            Assert.Equal(200, (int)put.StatusCode);
        }
        var stored = (await admin.GetJsonAsync("/api/channels/rules")).EnumerateArray().ToList();
        Assert.Equal(["Newsletter", "Old partners"], stored.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(("email", true, false), (stored[0].GetProperty("lead_source").GetString(), stored[0].GetProperty("is_active").GetBoolean(),
            stored[1].GetProperty("is_active").GetBoolean()));

        var classified = await admin.GetJsonAsync("/api/channels/classify?source=mailchimp&medium=Newsletter");
        Assert.Equal(("Newsletter", "email"), (classified.GetProperty("channel").GetString(), classified.GetProperty("lead_source").GetString()));
        Assert.Equal("Referral", (await admin.GetJsonAsync("/api/channels/classify?source=partner-x&medium=referral")).GetProperty("channel").GetString());

        var ids = (await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new[]
        {
            new { event_type = "page_view", utm_source = "mailchimp", utm_medium = "digest" },
        }))).GetProperty("ids");
        var stored0 = await admin.GetJsonAsync($"/marketing/events/{ids[0].GetString()}");
        Assert.Equal(("Newsletter", "email"), (stored0.GetProperty("channel").GetString(), stored0.GetProperty("lead_source").GetString()));

        // Another tenant's traffic is classified by GA4's defaults alone.
        Assert.Empty((await otherAdmin.GetJsonAsync("/api/channels/rules")).EnumerateArray());
        Assert.Equal("Unassigned", (await otherAdmin.GetJsonAsync("/api/channels/classify?source=mailchimp&medium=newsletter")).GetProperty("channel").GetString());

        using (var cleared = await admin.PutAsync("/api/channels/rules", Http.Json("[]")))
        {
            Assert.Equal(200, (int)cleared.StatusCode);
        }
        Assert.Equal("Unassigned", (await admin.GetJsonAsync("/api/channels/classify?source=mailchimp&medium=newsletter")).GetProperty("channel").GetString());
    }

    [BackendFact]
    public async Task Bad_rules_are_refused_naming_the_field_and_change_nothing_and_only_admins_may_change_them()
    {
        var tenant = await server.CreateTenantAsync("rules-bad");
        using var admin = server.WithKey(tenant.AdminKey);
        using (var put = await admin.PutAsync("/api/channels/rules", Http.Json("""[{"name":"Ok","medium_pattern":"x"}]""")))
        {
            Assert.Equal(200, (int)put.StatusCode);
        }

        (string Body, string Field)[] bad =
        [
            ("""[{"name":"A","medium_pattern":"(unclosed"}]""", "[0].medium_pattern"),
            ("""[{"name":"A","medium_pattern":"x"},{"name":"","source_pattern":"y"}]""", "[1].name"),
            ("""[{"name":"A"}]""", "[0].source_pattern"),
            ("""[{"name":"A","medium_pattern":"x","lead_source":"sales"}]""", "[0].lead_source"),
            ("""[{"name":"A","medium_pattern":"x","colour":"red"}]""", "[0].colour"),
            ("""[{"name":"A","medium_pattern":"x","is_active":"yes"}]""", "[0].is_active"),
            ("""{"name":"A"}""", "body"),
            ("""[1]""", "[0]"),
        ];
        foreach (var (body, field) in bad)
        {
            using var refused = await admin.PutAsync("/api/channels/rules", Http.Json(body));
            await refused.AssertProblemAsync(400, field);
        }
        Assert.Equal(["Ok"], (await admin.GetJsonAsync("/api/channels/rules")).EnumerateArray().Select(r => r.GetProperty("name").GetString()));

        using var viewer = server.WithKey(await server.CreateKeyAsync("rules-bad", "viewer"));
        using var forbidden = await viewer.PutAsync("/api/channels/rules", Http.Json("[]"));
        Assert.Equal(403, (int)forbidden.StatusCode);
    }
}

[NeedsServers]
public sealed class ChannelRulesApiOnSqlite(TestServer server) : ChannelRulesApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class ChannelRulesApiOnPostgres(PostgresTestServer server) : ChannelRulesApiTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class ChannelRulesApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : ChannelRulesApiTests(server), IClassFixture<PostgresClickHouseTestServer>;
