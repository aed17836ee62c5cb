using System.Net.Http.Headers;
using System.Text;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

/// <summary>Every kind of bad input is answered 4xx with a problem document, and nothing of it is stored.</summary>
public sealed class MalformedInputTests(TestServer server) : IClassFixture<TestServer>
{
    public static TheoryData<string, string, int, string?> BadEventBodies() => new()
    {
        // name, body, expected status, field the problem must name
        { "invalid JSON", """{"event_type": "page_view",""", 400, "body" },
        { "not an object", "42", 400, "body" },
        { "array to the single-event endpoint", """[{"event_type":"page_view"}]""", 400, "body" },
        { "missing event_type", """{"page_url":"https://example.com/"}""", 400, "event_type" },
        { "event_type of the wrong type", """{"event_type": 5}""", 400, "event_type" },
        { "event_type with capitals and spaces", """{"event_type": "Page View"}""", 400, "event_type" },
        { "utm_source as an object", """{"event_type":"page_view","utm_source":{"a":1}}""", 400, "utm_source" },
        { "properties as a string", """{"event_type":"page_view","properties":"x"}""", 400, "properties" },
        { "lead_id as a fraction", """{"event_type":"lead_created","lead_id":1.5}""", 400, "lead_id" },
        { "over-long utm_campaign", $$"""{"event_type":"page_view","utm_campaign":"{{new string('c', 256)}}"}""", 400, "utm_campaign" },
        { "over-long page_url", $$"""{"event_type":"page_view","page_url":"https://e.com/{{new string('p', 8200)}}"}""", 400, "page_url" },
        { "escaped NUL in a field", """{"event_type":"page_view","utm_source":"goo\u0000gle"}""", 400, "utm_source" },
        { "escaped NUL inside properties", """{"event_type":"page_view","properties":{"k":"v\u0000"}}""", 400, "properties" },
        { "lone surrogate", """{"event_type":"page_view","event_name":"\ud800"}""", 400, "event_name" },
        { "unknown field", """{"event_type":"page_view","utm_sorce":"google"}""", 400, "utm_sorce" },
        { "bad timestamp", """{"event_type":"page_view","timestamp":"yesterday"}""", 400, "timestamp" },
        { "bad ip_address", """{"event_type":"page_view","ip_address":"999.1.1.1"}""", 400, "ip_address" },
        { "deep nesting", """{"event_type":"page_view","properties":""" + new string('[', 40) + new string(']', 40) + "}", 400, "body" },
    };

    [Theory]
    [MemberData(nameof(BadEventBodies))]
    public async Task A_bad_event_is_refused_with_a_problem_naming_the_field_and_nothing_is_stored(string name, string body, int status, string? field)
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        var before = await admin.TotalEventsAsync();

        using var response = await anonymous.PostAsync("/marketing/event", Http.Json(body));

        var problem = await response.AssertProblemAsync(status, field);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), name);
        Assert.Equal(before, await admin.TotalEventsAsync());
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_is_rejected_whole_naming_the_items_index()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        var before = await admin.TotalEventsAsync();
        var items = Enumerable.Range(0, 10).Select(i => i == 7 ? """{"event_type":"page_view","utm_medium":12}""" : """{"event_type":"page_view"}""");

        using var response = await anonymous.PostAsync("/marketing/events", Http.Json("[" + string.Join(",", items) + "]"));

        await response.AssertProblemAsync(400, "[7].utm_medium");
        Assert.Equal(before, await admin.TotalEventsAsync());
    }

    [Fact]
    public async Task Invalid_utf8_bytes_are_refused()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        var before = await admin.TotalEventsAsync();
        var bytes = Encoding.UTF8.GetBytes("""{"event_type":"page_view","event_name":"AB"}""").ToList();
        bytes.InsertRange(bytes.IndexOf((byte)'B'), [0xC3, 0x28, 0xFF]);
        using var content = new ByteArrayContent(bytes.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await anonymous.PostAsync("/marketing/event", content);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(before, await admin.TotalEventsAsync());
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_wrong_content_type_is_415(string contentType)
    {
        using var anonymous = server.Anonymous();
        using var content = new StringContent("""{"event_type":"page_view"}""");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await anonymous.PostAsync("/marketing/event", content);

        Assert.Equal(415, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_missing_content_type_is_415()
    {
        using var anonymous = server.Anonymous();
        using var content = new ByteArrayContent("""{"event_type":"page_view"}"""u8.ToArray());

        using var response = await anonymous.PostAsync("/marketing/events", content);

        Assert.Equal(415, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_huge_body_is_413_and_nothing_is_stored()
    {
        using var anonymous = server.Anonymous();
        using var admin = server.Admin();
        var before = await admin.TotalEventsAsync();
        var huge = """{"event_type":"page_view","properties":{"pad":""" + "\"" + new string('x', 400_000) + "\"}}";

        // Expect: 100-continue lets the server refuse before the body is sent, as well-behaved clients do.
        using (var single = await anonymous.SendAsync(ExpectingContinue("/marketing/event", huge)))
        {
            await single.AssertProblemAsync(413);
        }
        var tooMany = "[" + string.Join(",", Enumerable.Repeat(huge, 90)) + "]";
        using (var batch = await anonymous.SendAsync(ExpectingContinue("/marketing/events", tooMany)))
        {
            await batch.AssertProblemAsync(413);
        }
        Assert.Equal(before, await admin.TotalEventsAsync());
    }

    [Theory]
    [InlineData("/api/tenants/current")]
    [InlineData("/marketing/campaigns")]
    public async Task A_field_name_that_is_not_valid_unicode_is_400_not_500(string path)
    {
        using var admin = server.Admin();
        var method = path.EndsWith("current", StringComparison.Ordinal) ? HttpMethod.Patch : HttpMethod.Post;
        using var request = new HttpRequestMessage(method, path) { Content = Http.Json("""{"\ud800":"x","campaign_name":"c"}""") };

        using var response = await admin.SendAsync(request);

        await response.AssertProblemAsync(400, "body");
    }

    [Theory]
    [InlineData("/marketing/metrics?start_date=0001-01-01", "start_date")]
    [InlineData("/marketing/metrics?end_date=9999-12-31", "end_date")]
    [InlineData("/marketing/events?end_date=9999-12-31T23:59:59Z", "end_date")]
    public async Task Dates_outside_any_events_lifetime_are_400_not_500(string path, string field)
    {
        using var admin = server.Admin();
        using var response = await admin.GetAsync(path);
        await response.AssertProblemAsync(400, field);
    }

    [Fact]
    public async Task A_very_wide_range_answers_with_the_days_that_have_events()
    {
        using var admin = server.Admin();
        await admin.PostJsonAsync("/marketing/event", """{"event_type":"page_view","timestamp":"2024-02-29T12:00:00Z"}""");

        var metrics = await admin.GetJsonAsync("/marketing/metrics?start_date=1970-01-02&end_date=8999-12-31");

        var days = metrics.GetProperty("timeline_data").EnumerateArray().Select(d => d.GetProperty("date").GetString()).ToList();
        Assert.Contains("2024-02-29", days);
        Assert.True(days.Count < 10, $"{days.Count} days listed");
    }

    private static HttpRequestMessage ExpectingContinue(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Http.Json(body) };
        request.Headers.ExpectContinue = true;
        return request;
    }

    [Fact]
    public async Task More_than_ten_thousand_events_in_a_batch_are_refused()
    {
        using var anonymous = server.Anonymous();
        var body = "[" + string.Join(",", Enumerable.Repeat("""{"event_type":"page_view"}""", 10_001)) + "]";

        using var response = await anonymous.PostAsync("/marketing/events", Http.Json(body));

        await response.AssertProblemAsync(400, "body");
    }

    [Theory]
    [InlineData("/marketing/events?limit=501", "limit")]
    [InlineData("/marketing/events?limit=0", "limit")]
    [InlineData("/marketing/events?limit=abc", "limit")]
    [InlineData("/marketing/events?offset=-1", "offset")]
    [InlineData("/marketing/events?start_date=11/01/2025", "start_date")]
    [InlineData("/marketing/events?start_date=2025-11-02&end_date=2025-11-01", "end_date")]
    [InlineData("/marketing/campaigns?limit=201", "limit")]
    [InlineData("/marketing/campaigns?status=running", "status")]
    [InlineData("/marketing/metrics?end_date=tomorrow", "end_date")]
    [InlineData("/marketing/metrics/conversion-rates?start_date=2025-13-01", "start_date")]
    public async Task Bad_query_parameters_are_400_naming_the_parameter(string path, string field)
    {
        using var admin = server.Admin();
        using var response = await admin.GetAsync(path);
        await response.AssertProblemAsync(400, field);
    }

    [Theory]
    [InlineData("""{"campaign_name":"x","status":"running"}""", "status")]
    [InlineData("""{"campaign_name":"x","campaign_type":"carrier_pigeon"}""", "campaign_type")]
    [InlineData("""{"campaign_name":"x","budget":-5}""", "budget")]
    [InlineData("""{"campaign_name":"x","spent":"lots"}""", "spent")]
    [InlineData("""{"campaign_name":"x","budget":1.005}""", "budget")]
    [InlineData("""{"campaign_name":"x","start_date":"2025-06-02","end_date":"2025-06-01"}""", "end_date")]
    [InlineData("""{"campaign_type":"ppc"}""", "campaign_name")]
    [InlineData("""{"campaign_name":"   "}""", "campaign_name")]
    [InlineData("""{"campaign_name":"x","id":"mine"}""", "id")]
    [InlineData("""{"campaign_name":"x","currency":"euro"}""", "currency")]
    [InlineData("""{"campaign_name":"x","target_audience":[1]}""", "target_audience")]
    public async Task A_bad_campaign_is_400_naming_the_field_and_not_created(string body, string field)
    {
        using var admin = server.Admin();
        var before = (await admin.GetJsonAsync("/marketing/campaigns?limit=200")).GetArrayLength();

        using var response = await admin.PostAsync("/marketing/campaigns", Http.Json(body));

        await response.AssertProblemAsync(400, field);
        Assert.Equal(before, (await admin.GetJsonAsync("/marketing/campaigns?limit=200")).GetArrayLength());
    }
}
