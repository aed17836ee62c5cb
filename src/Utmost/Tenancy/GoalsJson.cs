using System.Text.Json;
using System.Text.Json.Nodes;
using Utmost.Core.Conversions;

namespace Utmost.Tenancy;

/// <summary>
/// A tenant's goals as stored in its conversion_goals column: a JSON array where a goal that is just an event type
/// is that type as a string (as every tenant had it before goals had names and filters), and any other an object.
/// </summary>
public static class GoalsJson
{
    public static string Serialize(IReadOnlyList<Goal> goals) =>
        new JsonArray(goals.Select(g => g.IsPlain ? JsonValue.Create(g.EventType) : (JsonNode)new JsonObject
        {
            ["name"] = g.Name,
            ["event_type"] = g.EventType,
            ["properties"] = new JsonObject((g.Properties ?? new Dictionary<string, string>())
                .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
        }).ToArray()).ToJsonString();

    public static IReadOnlyList<Goal> Deserialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String
            ? Goal.ForEventType(item.GetString()!)
            : new Goal(item.GetProperty("name").GetString()!, item.GetProperty("event_type").GetString()!,
                item.TryGetProperty("properties", out var properties)
                    ? properties.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
                    : null)).ToArray();
    }
}
