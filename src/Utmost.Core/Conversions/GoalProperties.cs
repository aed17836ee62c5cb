using System.Text.Json;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Core.Query;

namespace Utmost.Core.Conversions;

/// <summary>The event properties a goal or a funnel step matches: up to ten names, each with the text its value must have.</summary>
public static class GoalProperties
{
    public const int Max = 10;

    /// <summary>
    /// The properties, or null with the reasons under <paramref name="field"/>. Names follow the query API's rule (so
    /// the same condition can be written in SQL); numbers and booleans are kept as their JSON text, as events compare.
    /// </summary>
    public static Dictionary<string, string>? Parse(JsonElement value, string field, ValidationErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Object || value.EnumerateObject().Count() > Max)
        {
            errors.Add(field, $"must be an object of at most {Max} property names and the values to match");
            return null;
        }
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var part = $"{field}.{property.Name}";
            if (!QueryDimensions.IsPropertyKey(property.Name))
            {
                errors.Add(part, "a property name is 1 to 64 letters, digits, '_', '-' or '.'");
                continue;
            }
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String when JsonFields.String(property.Value, part, EventLimits.ShortText, errors) is { } text:
                    properties[property.Name] = text;
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    properties[property.Name] = property.Value.GetRawText();
                    break;
                case JsonValueKind.String:
                    break;
                default:
                    errors.Add(part, "must be a string, number or boolean");
                    break;
            }
        }
        return properties;
    }
}
