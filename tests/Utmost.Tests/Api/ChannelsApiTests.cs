using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

[NeedsServers]
public sealed class ChannelsApiTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task Classify_answers_with_the_channel_of_the_given_visit()
    {
        using var admin = server.Admin();

        var email = await admin.GetJsonAsync("/api/channels/classify?url=" + Uri.EscapeDataString("https://shop.example.com/?utm_source=mailchimp&utm_medium=email"));
        var organic = await admin.GetJsonAsync("/api/channels/classify?referrer=" + Uri.EscapeDataString("https://www.bing.com/search?q=x"));
        var tagged = await admin.GetJsonAsync("/api/channels/classify?source=amazon&medium=cpc&campaign=spring");

        Assert.Equal(("Email", "email", "mailchimp"), (email.GetProperty("channel").GetString(), email.GetProperty("lead_source").GetString(),
            email.GetProperty("source").GetString()));
        Assert.Equal(("Organic Search", "bing", "organic"), (organic.GetProperty("channel").GetString(), organic.GetProperty("source").GetString(),
            organic.GetProperty("medium").GetString()));
        Assert.Equal("Paid Shopping", tagged.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Bad_values_are_refused_naming_the_field_and_a_key_is_required()
    {
        using var admin = server.Admin();
        using (var tooLong = await admin.GetAsync("/api/channels/classify?medium=" + new string('m', 300)))
        {
            await tooLong.AssertProblemAsync(400, "medium");
        }
        using (var broken = await admin.GetAsync("/api/channels/classify?source=%ED%A0%80"))
        {
            Assert.True((int)broken.StatusCode < 500, "bytes that are not UTF-8 are replaced or refused, never a server error");
        }
        using var anonymous = server.Anonymous();
        using var refused = await anonymous.GetAsync("/api/channels/classify?source=google");
        Assert.Equal(401, (int)refused.StatusCode);
    }
}
