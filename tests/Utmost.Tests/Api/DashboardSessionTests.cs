using System.Net;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>Signing in to the dashboard with a key: the cookie, what it opens, the CSRF header, signing out.</summary>
public sealed class DashboardSessionTests(TestServer server) : IClassFixture<TestServer>
{
    internal static (HttpClient Client, CookieContainer Cookies) Browser(TestServer server)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseAddress };
        return (client, cookies);
    }

    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string key, bool header = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/dashboard/sign-in") { Content = Http.Json(new { key }) };
        if (header)
        {
            request.Headers.Add("X-Utmost-Dashboard", "1");
        }
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task The_page_and_its_bundle_come_with_a_strict_content_policy_and_gzipped()
    {
        using var client = server.Anonymous();
        using var page = await client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("/dashboard/app.js", await page.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/app.js");
        request.Headers.AcceptEncoding.Add(new System.Net.Http.Headers.StringWithQualityHeaderValue("gzip"));
        using var bundle = await client.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(bundle.Content.Headers.ContentEncoding));
        var compressed = await bundle.Content.ReadAsByteArrayAsync();
        using var plain = await client.GetAsync("/dashboard/app.js");
        Assert.True(compressed.Length * 2 < (await plain.Content.ReadAsByteArrayAsync()).Length, "the bundle is not much smaller gzipped");
        using var missing = await client.GetAsync("/dashboard/nothing.js");
        Assert.Equal(404, (int)missing.StatusCode);
    }

    [Fact]
    public async Task A_key_opens_a_session_cookie_that_reads_as_the_key_would_and_changes_only_with_the_dashboard_header()
    {
        var tenant = await server.CreateTenantAsync("dash-session");
        var viewerKey = await server.CreateKeyAsync("dash-session", "viewer");
        var (client, cookies) = Browser(server);
        using (client)
        {
            Assert.False((await client.GetJsonAsync("/api/dashboard/session")).GetProperty("signed_in").GetBoolean());
            using (var noHeader = await SignInAsync(client, viewerKey, header: false))
            {
                await noHeader.AssertProblemAsync(403);
            }
            using (var signedIn = await SignInAsync(client, viewerKey))
            {
                Assert.Equal(200, (int)signedIn.StatusCode);
                var cookie = signedIn.Headers.GetValues("Set-Cookie").Single();
                Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(viewerKey, cookie);
                Assert.Equal("viewer", (await signedIn.ReadJsonAsync()).GetProperty("role").GetString());
            }
            var session = await client.GetJsonAsync("/api/dashboard/session");
            Assert.Equal("dash-session", session.GetProperty("tenant_slug").GetString());
            Assert.Equal(tenant.Tenant.Id, (await client.GetJsonAsync("/api/tenants/current")).GetProperty("id").GetString());

            // A query is a POST: with the header it runs, without it the cookie is not taken.
            var query = new { metrics = new[] { "visitors" }, date_range = "all" };
            using (var withHeader = new HttpRequestMessage(HttpMethod.Post, "/api/v2/query") { Content = Http.Json(query) })
            {
                withHeader.Headers.Add("X-Utmost-Dashboard", "1");
                using var answered = await client.SendAsync(withHeader);
                Assert.Equal(200, (int)answered.StatusCode);
            }
            using (var forged = await client.PostAsync("/api/v2/query", Http.Json(query)))
            {
                var problem = await forged.AssertProblemAsync(401);
                Assert.Contains("X-Utmost-Dashboard", problem.GetProperty("detail").GetString());
            }
            // The session has the key's role: a viewer changes no settings.
            using (var patch = new HttpRequestMessage(HttpMethod.Patch, "/api/tenants/current") { Content = Http.Json("""{"name": "Taken"}""") })
            {
                patch.Headers.Add("X-Utmost-Dashboard", "1");
                using var refused = await client.SendAsync(patch);
                Assert.Equal(403, (int)refused.StatusCode);
            }

            // A cookie changed by hand opens nothing.
            var original = cookies.GetCookies(server.BaseAddress)["utmost_session"]!;
            cookies.Add(server.BaseAddress, new Cookie("utmost_session", original.Value[..^4] + "AAAA"));
            using (var tampered = await client.GetAsync("/api/tenants/current"))
            {
                Assert.Equal(401, (int)tampered.StatusCode);
            }
            cookies.Add(server.BaseAddress, new Cookie("utmost_session", original.Value));

            using (var signOut = new HttpRequestMessage(HttpMethod.Post, "/api/dashboard/sign-out"))
            {
                signOut.Headers.Add("X-Utmost-Dashboard", "1");
                using var done = await client.SendAsync(signOut);
                Assert.Equal(204, (int)done.StatusCode);
            }
            Assert.False((await client.GetJsonAsync("/api/dashboard/session")).GetProperty("signed_in").GetBoolean());
            using var afterwards = await client.GetAsync("/api/tenants/current");
            Assert.Equal(401, (int)afterwards.StatusCode);
        }
    }

}

/// <summary>A server of its own: the sign-in limit counts every attempt from this machine's address.</summary>
public sealed class SignInLimitTestServer : TestServer;

public sealed class DashboardSignInLimitTests(SignInLimitTestServer server) : IClassFixture<SignInLimitTestServer>
{
    [Fact]
    public async Task Wrong_and_ingest_only_keys_get_the_same_refusal_and_guessing_is_rate_limited()
    {
        await server.CreateTenantAsync("dash-limit");
        var ingestKey = await server.CreateKeyAsync("dash-limit", "ingest");
        var (client, _) = DashboardSessionTests.Browser(server);
        using (client)
        {
            using (var ingest = await DashboardSessionTests.SignInAsync(client, ingestKey))
            {
                var problem = await ingest.AssertProblemAsync(401);
                Assert.Contains("does not open a dashboard", problem.GetProperty("detail").GetString());
            }
            using (var empty = await DashboardSessionTests.SignInAsync(client, ""))
            {
                await empty.AssertProblemAsync(400, "key");
            }
            var statuses = new List<int>();
            for (var i = 0; i < 10; i++)
            {
                using var guess = await DashboardSessionTests.SignInAsync(client, $"utm_guess_{i:00}_0123456789abcdefghij");
                statuses.Add((int)guess.StatusCode);
            }
            // Ten a minute per address: the two above and eight guesses pass, then the door closes.
            Assert.Equal(Enumerable.Repeat(401, 8).Concat([429, 429]), statuses);
            using var limited = await DashboardSessionTests.SignInAsync(client, TestServer.AdminKey);
            var refusal = await limited.AssertProblemAsync(429);
            Assert.Contains("wait a minute", refusal.GetProperty("detail").GetString());
        }
    }
}
