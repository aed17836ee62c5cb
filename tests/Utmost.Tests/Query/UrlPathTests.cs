using Utmost.Core.Query;
using Utmost.Query;
using Utmost.Storage.ClickHouse;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>A URL's page path: the rule, and ClickHouse's SQL for it giving the same answers on awkward URLs.</summary>
[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class UrlPathTests(ClickHouseServer server) : IClassFixture<ClickHouseServer>
{
    private static readonly (string Url, string Path)[] Cases =
    [
        ("https://shop.example/pricing?utm_source=x&utm_medium=y", "/pricing"),
        ("https://shop.example/", "/"),
        ("https://shop.example", "/"),
        ("https://shop.example?utm_source=x", "/"),
        ("https://shop.example/blog/post#comments", "/blog/post"),
        ("https://shop.example/a#frag?not-a-query", "/a"),
        ("https://shop.example:8443/ünï/café?q=1", "/ünï/café"),
        ("http://user@host/x/y/", "/x/y/"),
        ("/already/a/path?x=1", "/already/a/path"),
        ("", "/"),
        ("?only=query", "/"),
        ("not a url at all", "not a url at all"),
        ("https://shop.example/redirect?to=https://other.example/x", "/redirect"),
    ];

    [Fact]
    public void The_path_is_what_lies_between_the_host_and_the_query()
    {
        foreach (var (url, path) in Cases)
        {
            Assert.Equal(path, UrlPaths.PathOf(url));
        }
        Assert.Null(UrlPaths.PathOf(null));
    }

    [BackendFact]
    public async Task ClickHouse_computes_the_same_path_as_dotnet_and_keeps_null()
    {
        var client = new ClickHouseClient(new HttpClient(), ClickHouseConnection.Parse(server.ConnectionString("default")));
        var dialect = new ClickHouseQueryDialect(leaveOutDeleted: false);
        var urls = string.Join(", ", Cases.Select(c => ClickHouseSql.Literal(c.Url)));
        var rows = await client.QueryAsync(
            $"SELECT u, {dialect.UrlPath("u")} AS p FROM (SELECT CAST(arrayJoin([{urls}]) AS Nullable(String)) AS u)", CancellationToken.None);
        Assert.Equal(Cases.Select(c => (c.Url, c.Path)), rows.Select(r => (r.GetProperty("u").GetString()!, r.GetProperty("p").GetString()!)));
        var none = await client.QueryAsync($"SELECT {dialect.UrlPath("u")} AS p FROM (SELECT CAST(NULL AS Nullable(String)) AS u)", CancellationToken.None);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, none.Single().GetProperty("p").ValueKind);
    }
}
