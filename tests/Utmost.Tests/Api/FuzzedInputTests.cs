using System.Net.Http.Headers;
using System.Text;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>Seeded random mutations of valid requests: whatever arrives, the answer is never a 5xx.</summary>
public sealed class FuzzedInputTests(TestServer server) : IClassFixture<TestServer>
{
    private const string ValidEvent = """
        {"event_type":"page_view","event_name":"Home","page_url":"https://example.com/?utm_source=x","referrer_url":"https://www.google.com/",
         "utm_source":"google","utm_medium":"cpc","utm_campaign":"summer","lead_id":12,"properties":{"a":[1,2,{"b":"c"}]},"timestamp":"2025-06-01T10:00:00Z"}
        """;

    private const string ValidCampaign = """
        {"campaign_name":"Summer","campaign_type":"ppc","status":"active","start_date":"2025-06-01","end_date":"2025-08-31","budget":10.5,"target_audience":{"k":"v"}}
        """;

    [Theory]
    [InlineData("POST", "/marketing/event", ValidEvent)]
    [InlineData("POST", "/marketing/events", "[" + ValidEvent + "," + ValidEvent + "]")]
    [InlineData("POST", "/marketing/campaigns", ValidCampaign)]
    [InlineData("PATCH", "/api/tenants/current", """{"time_zone":"Europe/Paris","conversion_goals":["purchase"]}""")]
    public async Task Mutated_bodies_never_get_a_server_error(string method, string path, string valid)
    {
        using var admin = server.Admin();
        var random = new Random(path.Length * 7919);
        var original = Encoding.UTF8.GetBytes(valid);
        for (var round = 0; round < 150; round++)
        {
            var mutated = Mutate(original, random);
            using var content = new ByteArrayContent(mutated);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };

            using var response = await admin.SendAsync(request);

            Assert.True((int)response.StatusCode < 500,
                $"{method} {path} answered {(int)response.StatusCode} to: {Encoding.UTF8.GetString(mutated)}\n{await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Mutated_query_strings_never_get_a_server_error()
    {
        using var admin = server.Admin();
        var random = new Random(4242);
        string[] paths = ["/marketing/events", "/marketing/metrics", "/marketing/metrics/conversion-rates", "/marketing/campaigns"];
        string[] names = ["limit", "offset", "start_date", "end_date", "event_type", "utm_source", "status", "tenant_id", "lead_source", "session_id"];
        string[] values = ["", "-1", "99999999999999999999", "2025-02-30", "2025-01-01T25:00:00Z", "%00", "%FF%FE", "' OR 1=1 --", "🙂", "1e9", "0x10", "null"];
        for (var round = 0; round < 200; round++)
        {
            var query = string.Join("&", Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => $"{names[random.Next(names.Length)]}={values[random.Next(values.Length)]}"));
            var path = $"{paths[random.Next(paths.Length)]}?{query}";

            using var response = await admin.GetAsync(path);

            Assert.True((int)response.StatusCode < 500, $"GET {path} answered {(int)response.StatusCode}");
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (var edits = random.Next(1, 4); edits > 0 && bytes.Count > 0; edits--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.RemoveAt(at); break;
                case 2: bytes.Insert(at, "{}[]\",:\\0-e9\u0000"u8[random.Next(13)]); break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                default:
                    var from = random.Next(bytes.Count);
                    bytes.InsertRange(at, bytes.GetRange(from, Math.Min(20, bytes.Count - from)));
                    break;
            }
        }
        return bytes.ToArray();
    }
}
