using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Utmost.Tests.Support;
using Utmost.Users;

namespace Utmost.Tests.Api;

/// <summary>Dashboard users: an admin manages them; a person signs in with address and password; the password is kept only as a hash.</summary>
public abstract class UsersApiTests(TestServer server)
{
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/dashboard/sign-in") { Content = Http.Json(body) };
        request.Headers.Add("X-Utmost-Dashboard", "1");
        return await client.SendAsync(request);
    }

    [BackendFact]
    public async Task An_admin_creates_users_whose_passwords_are_stored_hashed_and_bad_requests_name_the_field()
    {
        var tenant = await server.CreateTenantAsync("people");
        using var admin = server.WithKey(tenant.AdminKey);
        using (var bad = await admin.PostAsync("/api/users", Http.Json(new { email = "not an address", password = "short", role = "ingest", extra = 1 })))
        {
            var problem = await bad.AssertProblemAsync(400, "email");
            var errors = problem.GetProperty("errors");
            Assert.True(errors.TryGetProperty("password", out _));
            Assert.True(errors.TryGetProperty("role", out _));
            Assert.True(errors.TryGetProperty("extra", out _));
        }
        var created = await admin.PostJsonAsync("/api/users", """{"email": " Ada@Shop.Example ", "password": "correct horse battery", "role": "marketer"}""");
        Assert.Equal("ada@shop.example", created.GetProperty("email").GetString());
        Assert.Equal("marketer", created.GetProperty("role").GetString());
        using (var again = await admin.PostAsync("/api/users", Http.Json(new { email = "ada@shop.example", password = "another long password", role = "viewer" })))
        {
            await again.AssertProblemAsync(409);
        }
        var stored = await server.Services.GetRequiredService<UserStore>().FindByEmailAsync("ada@shop.example", CancellationToken.None);
        Assert.StartsWith("pbkdf2-sha256$600000$", stored!.PasswordHash);
        Assert.DoesNotContain("correct horse", stored.PasswordHash);
        Assert.Equal(["ada@shop.example"], (await admin.GetJsonAsync("/api/users")).EnumerateArray().Select(u => u.GetProperty("email").GetString()!));

        // Only admins manage users; another tenant's admin sees none of them.
        using var marketer = server.WithKey(await server.CreateKeyAsync("people", "marketer"));
        using (var refused = await marketer.PostAsync("/api/users", Http.Json(new { email = "eve@shop.example", password = "long enough password", role = "admin" })))
        {
            Assert.Equal(403, (int)refused.StatusCode);
        }
        var other = await server.CreateTenantAsync("other-people");
        using var otherAdmin = server.WithKey(other.AdminKey);
        Assert.Empty((await otherAdmin.GetJsonAsync("/api/users")).EnumerateArray());
        using (var foreign = await otherAdmin.DeleteAsync($"/api/users/{created.GetProperty("id").GetString()}"))
        {
            Assert.Equal(404, (int)foreign.StatusCode);
        }
    }

    [BackendFact]
    public async Task A_user_signs_in_with_the_password_and_loses_the_session_when_removed()
    {
        var tenant = await server.CreateTenantAsync("signers");
        using var admin = server.WithKey(tenant.AdminKey);
        var user = await admin.PostJsonAsync("/api/users", """{"email": "bo@shop.example", "password": "a long and good password", "role": "viewer"}""");
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseAddress };

        using (var wrong = await SignInAsync(browser, new { email = "bo@shop.example", password = "not the password at all" }))
        {
            var problem = await wrong.AssertProblemAsync(401);
            using var unknown = await SignInAsync(browser, new { email = "nobody@shop.example", password = "not the password at all" });
            Assert.Equal(problem.GetProperty("detail").GetString(), (await unknown.AssertProblemAsync(401)).GetProperty("detail").GetString());
        }
        using (var signedIn = await SignInAsync(browser, new { email = "BO@shop.example", password = "a long and good password" }))
        {
            Assert.Equal(200, (int)signedIn.StatusCode);
        }
        var session = await browser.GetJsonAsync("/api/dashboard/session");
        Assert.Equal("bo@shop.example", session.GetProperty("email").GetString());
        Assert.Equal("viewer", session.GetProperty("role").GetString());
        Assert.Equal("signers", session.GetProperty("tenant_slug").GetString());
        Assert.Equal(tenant.Tenant.Id, (await browser.GetJsonAsync("/api/tenants/current")).GetProperty("id").GetString());

        using (var removed = await admin.DeleteAsync($"/api/users/{user.GetProperty("id").GetString()}"))
        {
            Assert.Equal(204, (int)removed.StatusCode);
        }
        using var after = await browser.GetAsync("/api/tenants/current");
        Assert.Equal(401, (int)after.StatusCode);
        Assert.False((await browser.GetJsonAsync("/api/dashboard/session")).GetProperty("signed_in").GetBoolean());
    }
}

public sealed class UsersApiOnSqlite(TestServer server) : UsersApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class UsersApiOnPostgres(PostgresTestServer server) : UsersApiTests(server), IClassFixture<PostgresTestServer>;
