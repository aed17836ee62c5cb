using Utmost.Storage.ClickHouse;

namespace Utmost.Tests.Storage;

public sealed class ClickHouseSqlTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData("nul\0byte", @"'nul\0byte'")]
    [InlineData("line\nbreak\ttab\rreturn", @"'line\nbreak\ttab\rreturn'")]
    [InlineData("bell\u0007", @"'bell\x07'")]
    [InlineData("del\u007F", @"'del\x7F'")]
    [InlineData("ünïcødé 🙂", "'ünïcødé 🙂'")]
    [InlineData(@"\'; DROP TABLE t; --", @"'\\\'; DROP TABLE t; --'")]
    public void Strings_become_quoted_literals_with_every_special_character_escaped(string value, string expected)
    {
        Assert.Equal(expected, ClickHouseSql.Literal(value));
    }

    [Fact]
    public void Null_and_numbers_and_arrays_have_their_own_literals()
    {
        Assert.Equal("NULL", ClickHouseSql.Literal((string?)null));
        Assert.Equal("-42", ClickHouseSql.Literal(-42L));
        Assert.Equal(@"['a', 'b\'c']", ClickHouseSql.Literal(["a", "b'c"]));
    }

    [Fact]
    public void Format_fills_placeholders_once_and_never_expands_placeholders_inside_values()
    {
        var sql = ClickHouseSql.Format("SELECT {a}, {b}", new Dictionary<string, string>
        {
            ["a"] = ClickHouseSql.Literal("{b}"),
            ["b"] = ClickHouseSql.Literal(7),
        });

        Assert.Equal("SELECT '{b}', 7", sql);
    }

    [Fact]
    public void Format_refuses_missing_and_unused_values()
    {
        Assert.Throws<FormatException>(() => ClickHouseSql.Format("SELECT {a}", new Dictionary<string, string>()));
        Assert.Throws<FormatException>(() => ClickHouseSql.Format("SELECT 1", new Dictionary<string, string> { ["a"] = "1" }));
        Assert.Throws<FormatException>(() => ClickHouseSql.Format("SELECT {a", new Dictionary<string, string> { ["a"] = "1" }));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8123/?database=utmost", "http://127.0.0.1:8123/", "utmost", null, null)]
    [InlineData("http://ch.local:9000/", "http://ch.local:9000/", "utmost", null, null)]
    [InlineData("http://127.0.0.1:8123/?database=events&user=writer&password=p%40ss", "http://127.0.0.1:8123/", "events", "writer", "p@ss")]
    [InlineData("https://reader:s3cret@ch.example:8443/?database=db1", "https://ch.example:8443/", "db1", "reader", "s3cret")]
    public void Connection_strings_are_urls_with_database_and_optional_credentials(string text, string endpoint, string database, string? user, string? password)
    {
        var connection = ClickHouseConnection.Parse(text);

        Assert.Equal(new Uri(endpoint), connection.Endpoint);
        Assert.Equal(database, connection.Database);
        Assert.Equal(user, connection.User);
        Assert.Equal(password, connection.Password);
    }

    [Theory]
    [InlineData("127.0.0.1:8123")]
    [InlineData("tcp://127.0.0.1:9000")]
    [InlineData("http://127.0.0.1:8123/?database=x;DROP")]
    public void Bad_connection_strings_are_refused_naming_the_setting(string text)
    {
        var error = Assert.Throws<FormatException>(() => ClickHouseConnection.Parse(text));
        Assert.Contains("ConnectionStrings:ClickHouse", error.Message);
    }
}
