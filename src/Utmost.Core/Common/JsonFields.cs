using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Utmost.Core.Common;

/// <summary>Reads typed fields from a parsed JSON body, recording a precise error per bad field.</summary>
public static class JsonFields
{
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>The string property <paramref name="name"/> of an object, or null when it is missing or not a string.</summary>
    public static string? StringOrNull(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string? String(JsonElement value, string field, int maxLength, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(field, "must be a string");
            return null;
        }
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            errors.Add(field, "must be valid Unicode text");
            return null;
        }
        if (TextRules.Check(text, maxLength) is { } problem)
        {
            errors.Add(field, problem);
            return null;
        }
        return text;
    }

    /// <summary>Money: a JSON number (or numeric string) from 0 to <paramref name="max"/> with at most two decimals.</summary>
    public static decimal? Money(JsonElement value, string field, decimal max, ValidationErrors errors)
    {
        decimal amount;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out amount)
            || value.ValueKind == JsonValueKind.String
               && decimal.TryParse(value.GetString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
        {
            if (amount < 0)
            {
                errors.Add(field, "must not be negative");
                return null;
            }
            if (amount > max)
            {
                errors.Add(field, $"must be at most {max.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }
            if (decimal.Round(amount, 2) != amount)
            {
                errors.Add(field, "must have at most two decimal places");
                return null;
            }
            // Always two decimals (5000 -> 5000.00), as DECIMAL(10, 2) columns give it back on every engine.
            return decimal.Round(amount, 2) + 0.00m;
        }
        errors.Add(field, "must be a number");
        return null;
    }

    /// <summary>The largest revenue one event may carry, in any currency.</summary>
    public const decimal MaxRevenue = 1_000_000_000_000m;

    /// <summary>
    /// A conversion's value: a JSON number or numeric string from 0 to <see cref="MaxRevenue"/>, rounded to the
    /// micro-unit. Rounded rather than refused, since a tracker's arithmetic (3 × 19.99 in JavaScript) leaves float noise.
    /// </summary>
    public static decimal? Revenue(JsonElement value, string field, ValidationErrors errors)
    {
        decimal amount;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (!(value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out amount)
              || value.ValueKind == JsonValueKind.String
                 && decimal.TryParse(value.GetString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount)))
        {
            errors.Add(field, "must be a number");
            return null;
        }
        if (amount is < 0 or > MaxRevenue)
        {
            errors.Add(field, $"must be between 0 and {MaxRevenue.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }
        return decimal.Round(amount, 6, MidpointRounding.ToEven);
    }

    /// <summary>A JSON object, re-written compactly; every string inside must be storable text.</summary>
    public static string Object(JsonElement value, string field, int maxBytes, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return "{}";
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(field, "must be a JSON object");
            return "{}";
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (!CopyChecked(value, writer))
            {
                errors.Add(field, "strings and keys must be valid Unicode text without NUL characters");
                return "{}";
            }
        }
        if (buffer.WrittenCount > maxBytes)
        {
            errors.Add(field, $"must be at most {maxBytes} bytes of JSON");
            return "{}";
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool CopyChecked(JsonElement value, Utf8JsonWriter writer)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    if (!TryGetName(property, out var name) || !IsStorable(name))
                    {
                        return false;
                    }
                    writer.WritePropertyName(name);
                    if (!CopyChecked(property.Value, writer))
                    {
                        return false;
                    }
                }
                writer.WriteEndObject();
                return true;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var element in value.EnumerateArray())
                {
                    if (!CopyChecked(element, writer))
                    {
                        return false;
                    }
                }
                writer.WriteEndArray();
                return true;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
                if (!IsStorable(text))
                {
                    return false;
                }
                writer.WriteStringValue(text);
                return true;
            default:
                value.WriteTo(writer);
                return true;
        }
    }

    /// <summary>
    /// A property's name, or false when it is not valid Unicode (invalid UTF-8 bytes or a lone surrogate escape):
    /// <see cref="JsonProperty.Name"/> throws for those instead of returning.
    /// </summary>
    public static bool TryGetName(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }

    private static bool IsStorable(string text) => !text.Contains('\0') && TextRules.IsWellFormed(text);

    public static string DescribeJsonError(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        message = (cut > 0 ? message[..cut] : message).TrimEnd(' ', '.');
        return e.LineNumber is { } line ? $"{message} (line {line + 1}, byte {e.BytePositionInLine + 1})" : message;
    }
}
