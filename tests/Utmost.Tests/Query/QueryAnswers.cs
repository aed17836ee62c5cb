using System.Globalization;
using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>Asking <c>POST /api/v2/query</c> and reading its rows in a form a test can compare at a glance.</summary>
public static class QueryAnswers
{
    public static async Task<JsonElement> QueryAsync(this HttpClient client, object query)
    {
        using var response = await client.PostAsync("/api/v2/query", Http.Json(query));
        var body = await response.ReadJsonAsync();
        Assert.True(200 == (int)response.StatusCode, body.ToString());
        return body;
    }

    /// <summary>The rows as "dimension|dimension => metric, metric" lines; numbers to two decimals at most, trailing zeros dropped.</summary>
    public static string[] Rows(JsonElement answer) => answer.GetProperty("results").EnumerateArray()
        .Select(r => string.Join("|", r.GetProperty("dimensions").EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Null ? "null" : d.GetString()))
            + " => " + Numbers(r.GetProperty("metrics")))
        .ToArray();

    public static string Numbers(JsonElement list) => string.Join(", ", list.EnumerateArray().Select(m =>
        m.ValueKind == JsonValueKind.Number ? m.GetDecimal().ToString("0.##", CultureInfo.InvariantCulture) : m.GetRawText()));
}
