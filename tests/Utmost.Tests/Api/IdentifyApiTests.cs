using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>Linking visitors to people: any number of visitors per person, one person per visitor, never across tenants.</summary>
public abstract class IdentifyApiTests(TestServer server)
{
    [BackendFact]
    public async Task A_persons_visitors_are_found_by_user_id_email_or_contact_id_and_a_later_link_moves_a_visitor()
    {
        var tenant = await server.CreateTenantAsync("identify");
        using var admin = server.WithKey(tenant.AdminKey);
        using var ingest = server.WithKey(await server.CreateKeyAsync("identify", "ingest"));

        await ingest.PostJsonAsync("/api/identify", """{"visitor_id":"phone","user_id":42,"email":" Ann@Example.COM "}""", 200);
        await ingest.PostJsonAsync("/api/identify", """{"visitor_id":"laptop","user_id":"42"}""", 200);
        await ingest.PostJsonAsync("/api/identify", """{"visitor_id":"never-seen","contact_id":"c-9"}""", 200);
        await ingest.PostJsonAsync("/api/identify", """{"visitor_id":"shared-tablet","user_id":"42"}""", 200);
        await ingest.PostJsonAsync("/api/identify", """{"visitor_id":"shared-tablet","user_id":"43"}""", 200);

        string[] Visitors(System.Text.Json.JsonElement links) => links.EnumerateArray().Select(l => l.GetProperty("visitor_id").GetString()!).Order().ToArray();
        Assert.Equal(["laptop", "phone"], Visitors(await admin.GetJsonAsync("/api/people/visitors?user_id=42")));
        Assert.Equal(["phone"], Visitors(await admin.GetJsonAsync("/api/people/visitors?email=ann%40example.com")));
        Assert.Equal(["never-seen"], Visitors(await admin.GetJsonAsync("/api/people/visitors?contact_id=c-9")));
        Assert.Equal(["shared-tablet"], Visitors(await admin.GetJsonAsync("/api/people/visitors?user_id=43")));
    }

    [BackendFact]
    public async Task Identify_needs_a_server_side_key_refuses_bad_input_naming_the_field_and_cannot_reach_another_tenant()
    {
        var tenant = await server.CreateTenantAsync("identify-a");
        var other = await server.CreateTenantAsync("identify-b");
        using var admin = server.WithKey(tenant.AdminKey);
        using var otherAdmin = server.WithKey(other.AdminKey);

        (string Body, string Field)[] bad =
        [
            ("""{"user_id":"1"}""", "visitor_id"),
            ("""{"visitor_id":"v"}""", "user_id"),
            ("""{"visitor_id":"v","email":"not-an-address"}""", "email"),
            ("""{"visitor_id":"v","user_id":{"a":1}}""", "user_id"),
            ("""{"visitor_id":"v","user_id":"1","colour":"red"}""", "colour"),
            ($$"""{"visitor_id":"v","user_id":"1","tenant_id":"{{other.Tenant.Id}}"}""", "tenant_id"),
        ];
        foreach (var (body, field) in bad)
        {
            using var refused = await admin.PostAsync("/api/identify", Http.Json(body));
            await refused.AssertProblemAsync(400, field);
        }
        await admin.PostJsonAsync("/api/identify", """{"visitor_id":"v-a","user_id":"7"}""", 200);
        Assert.Equal(0, (await otherAdmin.GetJsonAsync("/api/people/visitors?user_id=7")).GetArrayLength());

        using var viewer = server.WithKey(await server.CreateKeyAsync("identify-a", "viewer"));
        using var forbidden = await viewer.PostAsync("/api/identify", Http.Json("""{"visitor_id":"v","user_id":"1"}"""));
        Assert.Equal(403, (int)forbidden.StatusCode);
        using var anonymous = server.Anonymous();
        using var unauthorized = await anonymous.PostAsync("/api/identify", Http.Json("""{"visitor_id":"v","user_id":"1"}"""));
        Assert.Equal(401, (int)unauthorized.StatusCode);
    }
}

[NeedsServers]
public sealed class IdentifyApiOnSqlite(TestServer server) : IdentifyApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class IdentifyApiOnPostgres(PostgresTestServer server) : IdentifyApiTests(server), IClassFixture<PostgresTestServer>;
