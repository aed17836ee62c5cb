using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
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

    /// <summary>
    /// Runs a SELECT and returns its rows as JSON objects (64-bit integers as JSON numbers). The answer is read line by
    /// line as it arrives, never held whole as one string.
    /// </summary>
    /// <param name="maxExecutionSeconds">When given, ClickHouse stops the query after this long (TIMEOUT_EXCEEDED).</param>
    public async Task<IReadOnlyList<JsonElement>> QueryAsync(string sql, CancellationToken cancellationToken, int? maxExecutionSeconds = null)
    {
        var statement = sql.TrimEnd().TrimEnd(';') + " FORMAT JSONEachRow";
        using var response = await SendAsync(BuildUri(true, null, maxExecutionSeconds), new StringContent(statement, Encoding.UTF8, "text/plain"), cancellationToken,
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        var rows = new List<JsonElement>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                rows.Add(JsonElement.Parse(line));
            }
            catch (JsonException)
            {
                // An error after the rows began (a memory limit, say) arrives as text in the body, not as a status.
                throw new ClickHouseException($"ClickHouse failed while answering: {line.Trim()}");
            }
        }
        return rows;
    }

    /// <summary>
    /// Runs a SELECT and hands over its rows as text, one at a time as they arrive, in ClickHouse's TabSeparated format:
    /// values by position, no JSON to parse, for results of millions of rows.
    /// </summary>
    public async IAsyncEnumerable<TabSeparatedRow> QueryTabSeparatedAsync(string sql, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var statement = sql.TrimEnd().TrimEnd(';') + " FORMAT TabSeparatedWithNames";
        using var response = await SendAsync(BuildUri(true, null), new StringContent(statement, Encoding.UTF8, "text/plain"), cancellationToken,
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        if (await reader.ReadLineAsync(cancellationToken) is not { } header)
        {
            yield break;
        }
        var ordinals = header.Split('\t').Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            var fields = line.Split('\t');
            if (fields.Length != ordinals.Count)
            {
                // An error after the rows began arrives as text in the body, not as a status.
                throw new ClickHouseException($"ClickHouse failed while answering: {line.Trim()}");
            }
            yield return new TabSeparatedRow(ordinals, Array.ConvertAll(fields, TabSeparatedRow.Unescape));
        }
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

    private Uri BuildUri(bool useDatabase, string? query, int? maxExecutionSeconds = null)
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
        if (maxExecutionSeconds is { } seconds)
        {
            parameters.Add("max_execution_time=" + seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (query is not null)
        {
            parameters.Add("query=" + Uri.EscapeDataString(query));
        }
        return new Uri(connection.Endpoint, "?" + string.Join("&", parameters));
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, HttpContent content, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
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
            response = await http.SendAsync(request, completion, cancellationToken);
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

/// <summary>A row of a TabSeparated answer: values by column name, null for ClickHouse's <c>\N</c>.</summary>
public sealed class TabSeparatedRow(IReadOnlyDictionary<string, int> ordinals, string?[] values)
{
    public string? this[string column] => values[ordinals[column]];

    /// <summary>A field as TabSeparated escapes it: backslash sequences for control characters and the backslash itself.</summary>
    public static string? Unescape(string field)
    {
        if (field == "\\N")
        {
            return null;
        }
        var backslash = field.IndexOf('\\');
        if (backslash < 0)
        {
            return field;
        }
        var text = new StringBuilder(field.Length);
        text.Append(field, 0, backslash);
        for (var i = backslash; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length)
            {
                text.Append(field[i]);
                continue;
            }
            text.Append(field[++i] switch
            {
                'b' => '\b',
                'f' => '\f',
                'r' => '\r',
                'n' => '\n',
                't' => '\t',
                '0' => '\0',
                var other => other,
            });
        }
        return text.ToString();
    }
}
