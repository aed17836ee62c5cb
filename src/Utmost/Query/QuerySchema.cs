using System.Text.Json;
using System.Text.Json.Nodes;
using Utmost.Core.Query;

namespace Utmost.Query;

/// <summary>
/// The JSON schema (draft 2020-12) of a query, built from the same registries the parser reads, so the two cannot
/// drift: every name it lists is one <see cref="QueryParser"/> accepts. The parser checks all of it, structure first.
/// </summary>
public static class QuerySchema
{
    public static string Json { get; } = Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonArray Enum(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    private static JsonObject Pair(JsonNode first, JsonNode second) => new()
    {
        ["type"] = "array",
        ["prefixItems"] = new JsonArray(first, second),
        ["minItems"] = 2,
        ["maxItems"] = 2,
    };

    private static JsonObject Build()
    {
        var fixedDimensions = QueryDimensions.Names.Where(n => !n.StartsWith(QueryDimensions.PropertyPrefix, StringComparison.Ordinal));
        var operators = QueryFilters.OperatorNames.Where(o => o is not ("and" or "or" or "not"));
        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "/api/v2/query/schema",
            ["title"] = "Utmost analytics query (Plausible Stats API v2 shape)",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = new JsonArray("metrics", "date_range"),
            ["properties"] = new JsonObject
            {
                ["metrics"] = new JsonObject
                {
                    ["type"] = "array", ["minItems"] = 1, ["uniqueItems"] = true,
                    ["items"] = new JsonObject { ["enum"] = Enum(QueryMetrics.Names) },
                },
                ["date_range"] = new JsonObject
                {
                    ["description"] = "A preset, or [start, end]: ISO dates (whole days in the tenant's zone) or date-times, the end included",
                    ["oneOf"] = new JsonArray(
                        new JsonObject { ["enum"] = Enum(DateRangePresets.Names) },
                        Pair(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "string" })),
                },
                ["dimensions"] = new JsonObject
                {
                    ["type"] = "array", ["uniqueItems"] = true, ["description"] = "At most one time dimension",
                    ["items"] = new JsonObject { ["$ref"] = "#/$defs/dimension" },
                },
                ["filters"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = "#/$defs/filter" } },
                ["order_by"] = new JsonObject
                {
                    ["type"] = "array", ["description"] = "Each name one of the query's metrics or dimensions",
                    ["items"] = Pair(new JsonObject { ["type"] = "string" }, new JsonObject { ["enum"] = Enum(["asc", "desc"]) }),
                },
                ["include"] = new JsonObject
                {
                    ["type"] = "object", ["additionalProperties"] = false,
                    ["properties"] = new JsonObject
                    {
                        ["comparisons"] = new JsonObject { ["enum"] = Enum(["previous_period", "year_over_year"]) },
                        ["time_labels"] = new JsonObject { ["type"] = "boolean" },
                        ["total_rows"] = new JsonObject { ["type"] = "boolean" },
                    },
                },
                ["pagination"] = new JsonObject
                {
                    ["type"] = "object", ["additionalProperties"] = false,
                    ["properties"] = new JsonObject
                    {
                        ["limit"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = QueryParser.MaxLimit },
                        ["offset"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 },
                    },
                },
            },
            ["$defs"] = new JsonObject
            {
                ["dimension"] = new JsonObject
                {
                    ["anyOf"] = new JsonArray(
                        new JsonObject { ["enum"] = Enum(fixedDimensions) },
                        new JsonObject { ["type"] = "string", ["pattern"] = @"^event:props:[A-Za-z0-9_.\-]{1,64}$" }),
                },
                ["filter"] = new JsonObject
                {
                    ["oneOf"] = new JsonArray(
                        new JsonObject
                        {
                            ["type"] = "array", ["minItems"] = 3, ["maxItems"] = 3,
                            ["prefixItems"] = new JsonArray(
                                new JsonObject { ["enum"] = Enum(operators) },
                                new JsonObject { ["$ref"] = "#/$defs/dimension", ["description"] = "Not a time dimension" },
                                new JsonObject
                                {
                                    ["type"] = "array", ["minItems"] = 1, ["maxItems"] = QueryFilters.MaxValues,
                                    ["items"] = new JsonObject { ["type"] = "string" },
                                    ["description"] = $"matches and matches_not take regular expressions of at most {QueryFilters.MaxPatternLength} characters, without backreferences or lookarounds",
                                }),
                        },
                        Pair(new JsonObject { ["enum"] = Enum(["and", "or"]) },
                            new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["$ref"] = "#/$defs/filter" } }),
                        Pair(new JsonObject { ["const"] = "not" }, new JsonObject { ["$ref"] = "#/$defs/filter" })),
                },
            },
        };
    }
}
