using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Utmost.Core.Attribution;

namespace Utmost.Attribution;

/// <summary>
/// <c>utmost attribution</c>: runs the attribution models over journeys (JSON Lines) or a path table (CSV) offline,
/// with no server or database. The whole input is read and attributed before anything is printed, so a bad line
/// fails the run with its number and no partial output.
/// </summary>
public static class AttributionCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static Command Create()
    {
        var input = new Option<FileInfo?>("--input") { Description = "Journeys as JSON Lines, one per line." };
        var paths = new Option<FileInfo?>("--paths") { Description = "A path table (CSV: path, total_conversions, total_conversion_value, total_null)." };
        var model = new Option<string>("--model")
        {
            Description = $"One of {string.Join(", ", AttributionModels.ValidNames)}, or all.",
            DefaultValueFactory = _ => AttributionModels.NameOf(AttributionModels.Default),
        };
        var windowDays = new Option<int?>("--window-days") { Description = "Lookback window before each conversion, 1–365 days (default 30)." };
        var halfLifeDays = new Option<double?>("--half-life-days") { Description = "time_decay's half-life in days (default 7)." };
        var order = new Option<int>("--order") { Description = "markov: states of the last N channels, 1–3 (default 1).", DefaultValueFactory = _ => 1 };
        var format = new Option<string>("--format") { Description = "json or table.", DefaultValueFactory = _ => "json" };
        var command = new Command("attribution", "Attribute conversions and value to channels offline, from journeys or a path table.")
        {
            input, paths, model, windowDays, halfLifeDays, order, format,
        };
        command.SetAction(parse =>
        {
            try
            {
                var output = Run(parse.GetValue(input), parse.GetValue(paths), parse.GetValue(model)!, parse.GetValue(windowDays),
                    parse.GetValue(halfLifeDays), parse.GetValue(order), parse.GetValue(format)!);
                Console.Write(output);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or AttributionInputException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>The whole output, or an exception naming what is wrong.</summary>
    public static string Run(FileInfo? input, FileInfo? pathTable, string modelName, int? windowDays, double? halfLifeDays, int order, string format)
    {
        if ((input is null) == (pathTable is null))
        {
            throw new ArgumentException("give either --input (journeys) or --paths (a path table)");
        }
        var all = string.Equals(modelName.Trim(), "all", StringComparison.OrdinalIgnoreCase);
        var models = all
            ? AttributionModels.All
            : AttributionModels.TryParse(modelName, out var one)
                ? [one]
                : throw new ArgumentException($"unknown model '{modelName}'; valid: {string.Join(", ", AttributionModels.ValidNames)}, all");
        if (windowDays is < 1 or > 365)
        {
            throw new ArgumentException("--window-days must be between 1 and 365");
        }
        if (halfLifeDays is { } h && (h <= 0 || !double.IsFinite(h)))
        {
            throw new ArgumentException("--half-life-days must be more than 0");
        }
        // The chain is solved densely: 8 channels make up to 585 states at order 3, thousands beyond.
        if (order is < 1 or > 3)
        {
            throw new ArgumentException("--order must be between 1 and 3");
        }
        if (format is not ("json" or "table"))
        {
            throw new ArgumentException("--format must be json or table");
        }
        var options = new AttributionOptions
        {
            Window = TimeSpan.FromDays(windowDays ?? AttributionOptions.DefaultWindow.TotalDays),
            HalfLife = halfLifeDays is { } days ? TimeSpan.FromDays(days) : new AttributionOptions().HalfLife,
            MarkovOrder = order,
        };
        List<AttributionPath> attributed;
        if (pathTable is not null)
        {
            // A path table has no times: nothing to decay by and no window to cut (with all, time_decay is left out).
            if (!all && models.Any(AttributionModels.NeedsTimestamps))
            {
                throw new ArgumentException("time_decay needs timestamps, which a path table does not have; use --input");
            }
            if (windowDays is not null)
            {
                throw new ArgumentException("--window-days needs timestamps, which a path table does not have; use --input");
            }
            models = models.Where(m => !AttributionModels.NeedsTimestamps(m)).ToList();
            using var reader = pathTable.OpenText();
            attributed = AttributionInput.ReadPathTable(reader);
        }
        else
        {
            using var reader = input!.OpenText();
            attributed = AttributionInput.ReadJourneys(reader).Select(j => AttributionPath.Of(j, options.Window)).ToList();
        }
        var totalConversions = attributed.Sum(p => p.Conversions);
        var totalValue = attributed.Sum(p => p.Value);
        var results = models.Select(m => new ModelResult(AttributionModels.NameOf(m), totalConversions, totalValue,
            Attributor.Attribute(m, attributed, options))).ToList();
        if (format == "table")
        {
            return Table(results);
        }
        return (results.Count == 1 ? JsonSerializer.Serialize(results[0], Json) : JsonSerializer.Serialize(results, Json)) + "\n";
    }

    private sealed record ModelResult(string Model, double TotalConversions, double TotalValue, IReadOnlyList<ChannelCredit> Channels);

    private static string Table(List<ModelResult> results)
    {
        var text = new StringBuilder();
        foreach (var result in results)
        {
            var width = Math.Max(7, result.Channels.Select(c => c.Channel.Length).DefaultIfEmpty(0).Max());
            text.Append(CultureInfo.InvariantCulture, $"{result.Model}: {result.TotalConversions:0.##} conversions, value {result.TotalValue:0.##}\n");
            text.Append(CultureInfo.InvariantCulture, $"{"channel".PadRight(width)}  {"conversions",12}  {"value",14}\n");
            foreach (var channel in result.Channels)
            {
                text.Append(CultureInfo.InvariantCulture, $"{channel.Channel.PadRight(width)}  {channel.Conversions,12:0.0000}  {channel.Value,14:0.00}\n");
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
