using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Utmost.Storage.ClickHouse;

/// <summary>ClickHouse said no (the statement failed), or could not be reached.</summary>
public sealed class ClickHouseException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// A small client for ClickHouse's HTTP interface: statements in the POST body, results as JSONEachRow,
/// inserts as JSONEachRow bodies (values never become SQL text). Works with 18.16 and current versions.
/// </summary>
public sealed class ClickHouseClient(HttpClient http, ClickHouseConnection connection)
{
    public ClickHouseConnection Connection => connection;

    /// <summary>Runs a statement that returns nothing (DDL, ALTER, INSERT … SELECT).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken, bool useDatabase = true)
    {
        using var response = await SendAsync(BuildUri(useDatabase, null), new StringContent(sql, Encoding.UTF8, "text/plain"), cancellationToken);
    }

    /// <summary>Runs a SELECT and returns its rows as JSON objects (64-bit integers as JSON numbers).</summary>
    public async Task<IReadOnlyList<JsonElement>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        var statement = sql.TrimEnd().TrimEnd(';') + " FORMAT JSONEachRow";
        using var response = await SendAsync(BuildUri(true, null), new StringContent(statement, Encoding.UTF8, "text/plain"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var rows = new List<JsonElement>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            rows.Add(JsonElement.Parse(line));
        }
        return rows;
    }

    /// <summary>Inserts rows given as JSONEachRow (one JSON object per line); <paramref name="table"/> is a fixed name.</summary>
    public async Task InsertAsync(string table, ReadOnlyMemory<byte> jsonEachRow, CancellationToken cancellationToken)
    {
        var content = new ReadOnlyMemoryContent(jsonEachRow);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await SendAsync(BuildUri(true, $"INSERT INTO {table} FORMAT JSONEachRow"), content, cancellationToken);
    }

    /// <summary>Inserts rows in RowBinary (see <see cref="RowBinaryWriter"/>); <paramref name="columns"/> is a fixed list in the rows' order.</summary>
    public async Task InsertRowBinaryAsync(string table, string columns, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken)
    {
        var content = new ReadOnlyMemoryContent(rows);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await SendAsync(BuildUri(true, $"INSERT INTO {table} ({columns}) FORMAT RowBinary"), content, cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(connection.Endpoint, "ping"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private Uri BuildUri(bool useDatabase, string? query)
    {
        var parameters = new List<string>
        {
            "output_format_json_quote_64bit_integers=0",
            // Through a Distributed table, an insert returns once every shard has its rows (not merely queued).
            "insert_distributed_sync=1",
            // Accept 'YYYY-MM-DD hh:mm:ss' and ISO forms alike in inserted DateTime values.
            "date_time_input_format=best_effort",
        };
        if (useDatabase)
        {
            parameters.Add("database=" + Uri.EscapeDataString(connection.Database));
        }
        if (query is not null)
        {
            parameters.Add("query=" + Uri.EscapeDataString(query));
        }
        return new Uri(connection.Endpoint, "?" + string.Join("&", parameters));
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        if (connection.User is not null)
        {
            // Basic authentication: understood by every ClickHouse version, and kept out of URLs and their logs.
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{connection.User}:{connection.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ClickHouseException($"ClickHouse at {connection.Endpoint} is unreachable: {e.Message}", null, e);
        }
        if (!response.IsSuccessStatusCode)
        {
            var message = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new ClickHouseException($"ClickHouse refused the statement ({(int)response.StatusCode}): {message.Trim()}", response.StatusCode);
        }
        return response;
    }
}
