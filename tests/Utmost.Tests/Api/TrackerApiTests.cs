using System.IO.Compression;
using System.Net.Http.Headers;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>The tracker script as served, and what the ingestion endpoints answer to pages of other origins.</summary>
public abstract class TrackerApiTests(TestServer server)
{
    [BackendFact]
    public async Task The_tracker_is_served_gzipped_under_2_kb_cached_and_unchanged_by_compression()
    {
        using var client = server.Anonymous();
        using var plain = await client.GetAsync("/js/utmost.js");
        Assert.Equal(200, (int)plain.StatusCode);
        Assert.Equal("application/javascript", plain.Content.Headers.ContentType?.MediaType);
        var script = await plain.Content.ReadAsByteArrayAsync();
        Assert.Contains("sendBeacon", System.Text.Encoding.UTF8.GetString(script));
        Assert.DoesNotContain("\n//", System.Text.Encoding.UTF8.GetString(script));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/js/utmost.js");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var gzipped = await client.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(gzipped.Content.Headers.ContentEncoding));
        var compressed = await gzipped.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length <= 2048, $"the tracker is {compressed.Length} bytes gzipped; the limit is 2,048");
        using var unzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var unzipped = new MemoryStream();
        await unzip.CopyToAsync(unzipped);
        Assert.Equal(script, unzipped.ToArray());

        using var again = new HttpRequestMessage(HttpMethod.Get, "/js/utmost.js");
        again.Headers.IfNoneMatch.Add(plain.Headers.ETag!);
        using var notModified = await client.SendAsync(again);
        Assert.Equal(304, (int)notModified.StatusCode);
    }

    [BackendFact]
    public async Task Allowed_origins_are_checked_and_normalised()
    {
        var tenant = await server.CreateTenantAsync("origins");
        using var admin = server.WithKey(tenant.AdminKey);
        using (var bad = await admin.PatchAsync("/api/tenants/current",
            Http.Json("""{"allowed_origins": ["https://shop.example", "https://shop.example/checkout", "ftp://files.example", 7]}""")))
        {
            var problem = await bad.AssertProblemAsync(400, "allowed_origins[1]");
            Assert.True(problem.GetProperty("errors").TryGetProperty("allowed_origins[2]", out _));
            Assert.True(problem.GetProperty("errors").TryGetProperty("allowed_origins[3]", out _));
        }
        using (var notArray = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"allowed_origins": "https://shop.example"}""")))
        {
            await notArray.AssertProblemAsync(400, "allowed_origins");
        }
        Assert.Empty((await admin.GetJsonAsync("/api/tenants/current")).GetProperty("allowed_origins").EnumerateArray());

        using var good = await admin.PatchAsync("/api/tenants/current",
            Http.Json("""{"allowed_origins": ["HTTPS://Shop.Example/", "http://localhost:3000", "https://shop.example:443"]}"""));
        var origins = (await good.ReadJsonAsync()).GetProperty("allowed_origins").EnumerateArray().Select(o => o.GetString()!).ToArray();
        Assert.Equal(["https://shop.example", "http://localhost:3000"], origins);
    }

    [BackendFact]
    public async Task Pages_of_allowed_origins_send_text_plain_and_read_the_answer_others_are_refused_and_nothing_is_stored()
    {
        var tenant = await server.CreateTenantAsync("cors");
        using var admin = server.WithKey(tenant.AdminKey);
        using var browser = server.Anonymous();
        async Task<HttpResponseMessage> SendAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/marketing/event")
            {
                Content = new StringContent($$"""{"site": "{{tenant.Tenant.SiteKey}}", "event_type": "page_view", "page_url": "{{origin}}/"}""",
                    System.Text.Encoding.UTF8, "text/plain"),
            };
            request.Headers.Add("Origin", origin);
            return await browser.SendAsync(request);
        }

        // No origins configured: every origin may send, and may read the answer.
        using (var open = await SendAsync("https://anywhere.example"))
        {
            Assert.Equal(201, (int)open.StatusCode);
            Assert.Equal("https://anywhere.example", open.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        using (var patched = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"allowed_origins": ["https://shop.example"]}""")))
        {
            Assert.Equal(200, (int)patched.StatusCode);
        }
        using (var allowed = await SendAsync("https://shop.example"))
        {
            Assert.Equal(201, (int)allowed.StatusCode);
        }
        using (var refused = await SendAsync("https://copycat.example"))
        {
            var problem = await refused.AssertProblemAsync(403);
            Assert.Contains("allowed_origins", problem.GetProperty("detail").GetString());
            Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        }
        var pages = (await admin.GetJsonAsync("/marketing/events")).EnumerateArray().Select(e => e.GetProperty("page_url").GetString()!).Order().ToArray();
        Assert.Equal(["https://anywhere.example/", "https://shop.example/"], pages);

        // A page sending JSON asks first.
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/marketing/events");
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var answer = await browser.SendAsync(preflight);
        Assert.Equal(204, (int)answer.StatusCode);
        Assert.Equal("https://shop.example", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("Content-Type", answer.Headers.GetValues("Access-Control-Allow-Headers").Single());
    }
}

public sealed class TrackerApiOnSqlite(TestServer server) : TrackerApiTests(server), IClassFixture<TestServer>;

/// <summary>Tenants, with their allowed origins, on PostgreSQL.</summary>
[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class TrackerApiOnPostgres(PostgresTestServer server) : TrackerApiTests(server), IClassFixture<PostgresTestServer>;
