using System.Text.Json;
using Utmost.Core.Common;

namespace Utmost.Core.Query;

/// <summary>The date range as asked: a preset name, or two ISO dates or date-times (resolved later in the tenant's zone).</summary>
public sealed record QueryDateRange(string? Preset, string? Start = null, string? End = null);

public enum Comparison
{
    None,
    PreviousPeriod,
    YearOverYear,
}

public sealed record QueryInclude(Comparison Comparison = Comparison.None, bool TimeLabels = false, bool TotalRows = false);

/// <summary>One ordering: a chosen metric or dimension (by its API name), descending or not.</summary>
public sealed record QueryOrder(string Name, bool Descending);

/// <summary>A query as parsed: every part known, nothing resolved against data or time yet.</summary>
public sealed record AnalyticsQuery(
    IReadOnlyList<Metric> Metrics, QueryDateRange DateRange, IReadOnlyList<Dimension> Dimensions, IReadOnlyList<QueryFilter> Filters,
    IReadOnlyList<QueryOrder> OrderBy, QueryInclude Include, int Limit, int Offset);

/// <summary>
/// Parses a <c>POST /api/v2/query</c> body, Plausible's Stats API v2 shape, into an <see cref="AnalyticsQuery"/>:
/// a small function per part, each naming what is wrong where ("metrics[1]": "Unknown metric 'foo'").
/// </summary>
public static class QueryParser
{
    public const int DefaultLimit = 10_000;
    public const int MaxLimit = 10_000;

    private static readonly string[] Keys = ["metrics", "date_range", "dimensions", "filters", "order_by", "include", "pagination"];

    public static AnalyticsQuery? Parse(JsonElement body, ValidationErrors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", "must be a JSON object: {\"metrics\": [\"visitors\"], \"date_range\": \"last_7_days\"}");
            return null;
        }
        foreach (var property in body.EnumerateObject().Where(p => !Keys.Contains(p.Name)))
        {
            errors.Add(property.Name, $"Unknown key '{property.Name}'; the keys are {string.Join(", ", Keys)}");
        }
        var metrics = ParseMetrics(body, errors);
        var dateRange = ParseDateRange(body, errors);
        var dimensions = ParseDimensions(body, errors);
        var filters = Optional(body, "filters") is { } f ? ParseFilters(f, errors) : [];
        var include = Optional(body, "include") is { } i ? ParseInclude(i, errors) : new QueryInclude();
        var (limit, offset) = Optional(body, "pagination") is { } p ? ParsePagination(p, errors) : (DefaultLimit, 0);
        var orderBy = Optional(body, "order_by") is { } o ? ParseOrderBy(o, metrics, dimensions, errors) : [];
        return errors.IsEmpty ? new AnalyticsQuery(metrics, dateRange!, dimensions, filters, orderBy, include, limit, offset) : null;
    }

    private static JsonElement? Optional(JsonElement body, string key) =>
        body.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static List<Metric> ParseMetrics(JsonElement body, ValidationErrors errors)
    {
        var metrics = new List<Metric>();
        if (Optional(body, "metrics") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
        {
            errors.Add("metrics", $"must be a non-empty array of: {string.Join(", ", QueryMetrics.Names)}");
            return metrics;
        }
        foreach (var (item, i) in list.EnumerateArray().Select((m, i) => (m, i)))
        {
            if (item.ValueKind != JsonValueKind.String || !QueryMetrics.TryParse(item.GetString()!, out var metric))
            {
                errors.Add($"metrics[{i}]", $"Unknown metric '{(item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText())}'");
            }
            else if (metrics.Contains(metric))
            {
                errors.Add($"metrics[{i}]", $"Metric '{item.GetString()}' is asked for twice");
            }
            else
            {
                metrics.Add(metric);
            }
        }
        return metrics;
    }

    private const string DateRangeHelp = "must be a preset (today, last_7_days, …) or two ISO dates or date-times [\"2025-01-01\", \"2025-01-31\"]";

    private static QueryDateRange? ParseDateRange(JsonElement body, ValidationErrors errors)
    {
        switch (Optional(body, "date_range"))
        {
            case { ValueKind: JsonValueKind.String } preset:
                return Preset(preset.GetString()!, "date_range", errors);
            case { ValueKind: JsonValueKind.Array } pair when pair.GetArrayLength() == 2 && pair.EnumerateArray().All(b => b.ValueKind == JsonValueKind.String):
                return Dates(pair[0].GetString()!, pair[1].GetString()!, "date_range[0]", "date_range[1]", "date_range", errors);
            default:
                errors.Add("date_range", DateRangeHelp);
                return null;
        }
    }

    /// <summary>
    /// A date range given as query-string text (the report endpoints): a preset, or <c>start,end</c> as ISO dates or
    /// date-times; null with the reason under <paramref name="field"/>.
    /// </summary>
    public static QueryDateRange? ParseDateRange(string text, string field, ValidationErrors errors) =>
        text.Split(',', StringSplitOptions.TrimEntries) is [var start, var end] ? Dates(start, end, field, field, field, errors) : Preset(text, field, errors);

    private static QueryDateRange? Preset(string name, string field, ValidationErrors errors)
    {
        if (DateRangePresets.Names.Contains(name))
        {
            return new QueryDateRange(name);
        }
        errors.Add(field, $"Unknown date range '{name}'; the presets are {string.Join(", ", DateRangePresets.Names)}, or give start,end");
        return null;
    }

    /// <summary>
    /// A range of two ISO dates or date-times; a bad bound is named by its own field, an end before the start by
    /// <paramref name="orderField"/>.
    /// </summary>
    public static QueryDateRange? Dates(string start, string end, string startField, string endField, string orderField, ValidationErrors errors)
    {
        var startOk = Bound(start, isEnd: false, out var from);
        var endOk = Bound(end, isEnd: true, out var to);
        if (!startOk || !endOk)
        {
            errors.Add(startOk ? endField : startField, DateRangeHelp);
            return null;
        }
        if (to < from)
        {
            errors.Add(orderField, "the end is before the start");
            return null;
        }
        return new QueryDateRange(null, start, end);
    }

    /// <summary>A bound as UTC, only to check it and the order of the two; the tenant's zone resolves it later.</summary>
    private static bool Bound(string text, bool isEnd, out DateTimeOffset value) => DateInput.TryParseBound(text, TimeZoneInfo.Utc, isEnd, out value);

    private static List<Dimension> ParseDimensions(JsonElement body, ValidationErrors errors)
    {
        var dimensions = new List<Dimension>();
        if (Optional(body, "dimensions") is not { } list)
        {
            return dimensions;
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("dimensions", "must be an array of dimension names: [\"visit:source\", \"time:day\"]");
            return dimensions;
        }
        foreach (var (item, i) in list.EnumerateArray().Select((d, i) => (d, i)))
        {
            string? error = "must be a dimension name";
            var dimension = item.ValueKind == JsonValueKind.String ? QueryDimensions.Parse(item.GetString()!, out error) : null;
            if (dimension is null)
            {
                errors.Add($"dimensions[{i}]", error!);
            }
            else if (dimensions.Any(d => d.Name == dimension.Name))
            {
                errors.Add($"dimensions[{i}]", $"Dimension '{dimension.Name}' is asked for twice");
            }
            else if (dimension.IsTime && dimensions.Any(d => d.IsTime))
            {
                errors.Add($"dimensions[{i}]", "at most one time dimension");
            }
            else
            {
                dimensions.Add(dimension);
            }
        }
        return dimensions;
    }

    private static List<QueryFilter> ParseFilters(JsonElement list, ValidationErrors errors)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("filters", "must be an array of filters: [[\"is\", \"visit:source\", [\"google\"]]]");
            return [];
        }
        return list.EnumerateArray().Select((f, i) => QueryFilters.Parse(f, $"filters[{i}]", errors)).OfType<QueryFilter>().ToList();
    }

    private static QueryInclude ParseInclude(JsonElement include, ValidationErrors errors)
    {
        if (include.ValueKind != JsonValueKind.Object)
        {
            errors.Add("include", "must be an object: {\"comparisons\": \"previous_period\", \"time_labels\": true, \"total_rows\": true}");
            return new QueryInclude();
        }
        var result = new QueryInclude();
        foreach (var property in include.EnumerateObject())
        {
            switch (property.Name, property.Value.ValueKind)
            {
                case ("comparisons", JsonValueKind.String) when property.Value.GetString() is "previous_period" or "year_over_year":
                    result = result with { Comparison = property.Value.GetString() == "previous_period" ? Comparison.PreviousPeriod : Comparison.YearOverYear };
                    break;
                case ("comparisons", _):
                    errors.Add("include.comparisons", "must be previous_period or year_over_year");
                    break;
                case ("time_labels" or "total_rows", JsonValueKind.True or JsonValueKind.False):
                    var on = property.Value.GetBoolean();
                    result = property.Name == "time_labels" ? result with { TimeLabels = on } : result with { TotalRows = on };
                    break;
                case ("time_labels" or "total_rows", _):
                    errors.Add($"include.{property.Name}", "must be true or false");
                    break;
                default:
                    errors.Add($"include.{property.Name}", $"Unknown key '{property.Name}'; the keys are comparisons, time_labels, total_rows");
                    break;
            }
        }
        return result;
    }

    private static (int Limit, int Offset) ParsePagination(JsonElement pagination, ValidationErrors errors)
    {
        int Read(string key, int fallback, int min, int max)
        {
            if (!pagination.TryGetProperty(key, out var value))
            {
                return fallback;
            }
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
            {
                errors.Add($"pagination.{key}", $"must be a whole number from {min} to {max:#,0}");
                return fallback;
            }
            return number;
        }
        if (pagination.ValueKind != JsonValueKind.Object)
        {
            errors.Add("pagination", "must be an object: {\"limit\": 100, \"offset\": 0}");
            return (DefaultLimit, 0);
        }
        return (Read("limit", DefaultLimit, 1, MaxLimit), Read("offset", 0, 0, 1_000_000_000));
    }

    private static List<QueryOrder> ParseOrderBy(JsonElement list, IReadOnlyList<Metric> metrics, IReadOnlyList<Dimension> dimensions,
        ValidationErrors errors)
    {
        var orders = new List<QueryOrder>();
        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("order_by", "must be an array of [name, \"asc\" | \"desc\"]");
            return orders;
        }
        var chosen = metrics.Select(QueryMetrics.NameOf).Concat(dimensions.Select(d => d.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var (item, i) in list.EnumerateArray().Select((o, i) => (o, i)))
        {
            if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() != 2 || item[0].ValueKind != JsonValueKind.String
                || item[1].ValueKind != JsonValueKind.String || item[1].GetString() is not ("asc" or "desc"))
            {
                errors.Add($"order_by[{i}]", "must be [name, \"asc\" | \"desc\"]");
            }
            else if (!chosen.Contains(item[0].GetString()!))
            {
                errors.Add($"order_by[{i}]", $"'{item[0].GetString()}' is not among the query's metrics and dimensions");
            }
            else
            {
                orders.Add(new QueryOrder(item[0].GetString()!, item[1].GetString() == "desc"));
            }
        }
        return orders;
    }
}
