using System.Text.Json;

namespace Utmost.Core.Conversions;

/// <summary>
/// A conversion goal of a tenant: events of <see cref="EventType"/> count as conversions, when every property of
/// <see cref="Properties"/> equals the event's (e.g. <c>purchase</c>, or <c>form_submit</c> with <c>form = "quote"</c>).
/// Values compare as text: a JSON number or boolean in the event matches its literal (<c>2</c>, <c>true</c>).
/// </summary>
public sealed record Goal(string Name, string EventType, IReadOnlyDictionary<string, string>? Properties = null)
{
    public static Goal ForEventType(string eventType) => new(eventType, eventType);

    /// <summary>A goal that is nothing but an event type, stored and shown as the bare type.</summary>
    public bool IsPlain => Name == EventType && (Properties is null || Properties.Count == 0);

    public bool Matches(string eventType, string propertiesJson)
    {
        if (!string.Equals(eventType, EventType, StringComparison.Ordinal))
        {
            return false;
        }
        if (Properties is null || Properties.Count == 0)
        {
            return true;
        }
        using var document = JsonDocument.Parse(propertiesJson);
        foreach (var (key, expected) in Properties)
        {
            if (!document.RootElement.TryGetProperty(key, out var actual) || TextOf(actual) != expected)
            {
                return false;
            }
        }
        return true;
    }

    private static string? TextOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    /// <summary>The first goal the event meets, or null.</summary>
    public static Goal? FirstMatch(IReadOnlyList<Goal> goals, string eventType, string propertiesJson)
    {
        foreach (var goal in goals)
        {
            if (goal.Matches(eventType, propertiesJson))
            {
                return goal;
            }
        }
        return null;
    }
}
