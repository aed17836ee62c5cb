namespace Utmost.Storage.ClickHouse;

/// <summary>
/// Where ClickHouse's HTTP interface is: <c>http://host:8123/?database=utmost</c>, optionally with
/// <c>user=</c> and <c>password=</c> (or <c>http://user:password@host:8123/</c>).
/// </summary>
public sealed record ClickHouseConnection(Uri Endpoint, string Database, string? User, string? Password)
{
    public const string ConnectionStringName = "ClickHouse";

    public static ClickHouseConnection Parse(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new FormatException($"ConnectionStrings:{ConnectionStringName} must be an http(s) URL such as http://127.0.0.1:8123/?database=utmost.");
        }
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var database = query["database"] ?? "utmost";
        if (!System.Text.RegularExpressions.Regex.IsMatch(database, "^[A-Za-z_][A-Za-z0-9_]{0,62}$"))
        {
            throw new FormatException($"ConnectionStrings:{ConnectionStringName} names database '{database}', which is not a plain identifier.");
        }
        string? user = query["user"], password = query["password"];
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }
        var endpoint = new UriBuilder(uri.Scheme, uri.Host, uri.Port, "/").Uri;
        return new ClickHouseConnection(endpoint, database, user, password);
    }
}
