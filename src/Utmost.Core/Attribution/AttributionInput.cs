using System.Globalization;
using System.Text.Json;
using Utmost.Core.Common;

namespace Utmost.Core.Attribution;

/// <summary>A line of attribution input that cannot be read; <see cref="Line"/> is 1-based.</summary>
public sealed class AttributionInputException(int line, string message) : Exception($"line {line}: {message}")
{
    public int Line { get; } = line;
}

/// <summary>
/// Reads the two offline inputs of <c>utmost attribution</c>: journeys as JSON Lines, and the common path table
/// (path, total_conversions, total_conversion_value, total_null; channels joined by " > "). Everything is read
/// before anything is returned, so a bad line fails the whole run.
/// </summary>
public static class AttributionInput
{
    /// <summary>One journey per line: {"id", "touchpoints": [{"channel", "timestamp", …}], "conversion": {"timestamp", "value"} | null}.</summary>
    public static List<AttributionJourney> ReadJourneys(TextReader reader)
    {
        var journeys = new List<AttributionJourney>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                using var json = JsonDocument.Parse(line);
                journeys.Add(Journey(json.RootElement, number));
            }
            catch (JsonException e)
            {
                throw new AttributionInputException(number, $"not valid JSON ({e.Message})");
            }
        }
        return journeys;
    }

    private static AttributionJourney Journey(JsonElement root, int line)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AttributionInputException(line, "a journey must be a JSON object");
        }
        var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? idElement.ToString()
            : $"line-{line}";
        if (!root.TryGetProperty("touchpoints", out var touchpoints) || touchpoints.ValueKind != JsonValueKind.Array)
        {
            throw new AttributionInputException(line, "'touchpoints' must be an array");
        }
        var touches = new List<AttributionTouch>();
        var index = 0;
        foreach (var touch in touchpoints.EnumerateArray())
        {
            var field = $"touchpoints[{index++}]";
            if (touch.ValueKind != JsonValueKind.Object || Text(touch, "channel") is not { Length: > 0 } channel)
            {
                throw new AttributionInputException(line, $"'{field}.channel' must be a non-empty string");
            }
            touches.Add(new AttributionTouch(channel, Timestamp(touch, line, $"{field}.timestamp", required: false),
                Text(touch, "source"), Text(touch, "medium"), Text(touch, "campaign")));
        }
        AttributionConversion? conversion = null;
        if (root.TryGetProperty("conversion", out var converted) && converted.ValueKind != JsonValueKind.Null)
        {
            if (converted.ValueKind != JsonValueKind.Object)
            {
                throw new AttributionInputException(line, "'conversion' must be an object or null");
            }
            var value = 0.0;
            if (converted.TryGetProperty("value", out var valueElement) && valueElement.ValueKind != JsonValueKind.Null
                && (!valueElement.TryGetDouble(out value) || value < 0 || !double.IsFinite(value)))
            {
                throw new AttributionInputException(line, "'conversion.value' must be a number of 0 or more");
            }
            conversion = new AttributionConversion(Timestamp(converted, line, "conversion.timestamp", required: true)!.Value, value);
        }
        return new AttributionJourney(id, touches, conversion);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Timestamp(JsonElement element, int line, string field, bool required)
    {
        var name = field[(field.LastIndexOf('.') + 1)..];
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new AttributionInputException(line, $"'{field}' is required") : null;
        }
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUnixTimeMilliseconds();
        }
        throw new AttributionInputException(line, $"'{field}' must be an ISO 8601 date and time");
    }

    private static readonly string[] PathColumns = ["path", "total_conversions", "total_conversion_value", "total_null"];

    /// <summary>The path table, comma- or semicolon-delimited (told by its header), fields optionally double-quoted.</summary>
    public static List<AttributionPath> ReadPathTable(TextReader reader)
    {
        var header = reader.ReadLine() ?? throw new AttributionInputException(1, "the file is empty");
        var delimiter = Csv.DelimiterOf(header);
        var names = SplitCsv(header, delimiter, 1).Select(n => n.Trim().ToLowerInvariant()).ToList();
        var columns = PathColumns.Select(c => names.IndexOf(c)).ToArray();
        if (columns.Any(c => c < 0))
        {
            throw new AttributionInputException(1, $"the header must name the columns {string.Join(", ", PathColumns)}");
        }
        var paths = new List<AttributionPath>();
        var number = 1;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = SplitCsv(line, delimiter, number);
            if (fields.Count < names.Count)
            {
                throw new AttributionInputException(number, $"expected {names.Count} fields, found {fields.Count}");
            }
            var channels = fields[columns[0]].Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (channels.Length == 0)
            {
                throw new AttributionInputException(number, "'path' has no channel");
            }
            paths.Add(new AttributionPath(channels.Select(c => new AttributionTouch(c)).ToList(),
                Count(fields[columns[1]], number, "total_conversions"), Count(fields[columns[2]], number, "total_conversion_value"),
                Count(fields[columns[3]], number, "total_null")));
        }
        return paths;
    }

    private static double Count(string field, int line, string column) =>
        double.TryParse(field.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? value
            : throw new AttributionInputException(line, $"'{column}' must be a number of 0 or more, not '{field}'");

    private static List<string> SplitCsv(string line, char delimiter, int number) =>
        Csv.SplitLine(line, delimiter) ?? throw new AttributionInputException(number, "a quoted field is not closed");
}
