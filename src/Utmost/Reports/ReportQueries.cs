using Utmost.Core.Common;
using Utmost.Core.Query;
using Utmost.Query;

namespace Utmost.Reports;

/// <summary>A metric now, in the period compared with, and the change (percent; points for rates).</summary>
public sealed record MetricChange(object? Value, object? Previous, double? Change);

/// <summary>
/// What the seed report endpoints share: each is a few typed queries to <see cref="QueryRunner"/> (so they are cached,
/// the same on every engine, and stopped when too slow) and a reshaping of the rows into the seed's fields.
/// </summary>
public static class ReportQueries
{
    public static Dimension Dimension(string name) => QueryDimensions.Parse(name, out _) ?? throw new ArgumentException(name, nameof(name));

    public static AnalyticsQuery Ask(QueryDateRange range, Metric[] metrics, string[]? dimensions = null, Comparison comparison = Comparison.None,
        int limit = QueryParser.MaxLimit, bool timeLabels = false) => new(metrics, range, (dimensions ?? []).Select(Dimension).ToArray(), [], [],
        new QueryInclude(comparison, timeLabels), limit, 0);

    /// <summary>The value of <paramref name="metric"/> in a row of an answer to <paramref name="query"/>.</summary>
    public static object? Value(AnalyticsQuery query, QueryResultRow row, Metric metric) => row.Metrics[IndexOf(query, metric)];

    public static MetricChange Change(AnalyticsQuery query, QueryResultRow row, Metric metric)
    {
        var i = IndexOf(query, metric);
        return new MetricChange(row.Metrics[i], row.Comparison?.Metrics[i], row.Comparison?.Change[i]);
    }

    private static int IndexOf(AnalyticsQuery query, Metric metric) => query.Metrics.ToList().IndexOf(metric) is var i and >= 0
        ? i
        : throw new ArgumentException($"{metric} was not asked for", nameof(metric));

    public static decimal Decimal(object? value) => value is null ? 0 : Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>AquaScene's periods, as rolling days ending today (the presets they name).</summary>
    public static QueryDateRange? Period(string? period, ValidationErrors errors)
    {
        string? preset = (period ?? "month") switch
        {
            "today" => "today",
            "week" => "last_7_days",
            "month" => "last_30_days",
            "quarter" => "last_90_days",
            "year" => "last_365_days",
            _ => null,
        };
        if (preset is null)
        {
            errors.Add("period", "must be today, week (7 days), month (30 days), quarter (90 days) or year (365 days)");
            return null;
        }
        return new QueryDateRange(preset);
    }

    public static Comparison CompareTo(string? compareTo, ValidationErrors errors)
    {
        switch (compareTo ?? "previous_period")
        {
            case "previous_period": return Comparison.PreviousPeriod;
            case "previous_year": return Comparison.YearOverYear;
            default:
                errors.Add("compare_to", "must be previous_period or previous_year");
                return Comparison.None;
        }
    }

    /// <summary>A start and an end date (both or neither: the last 30 days), named as the endpoint names them.</summary>
    public static QueryDateRange? Dates(string? start, string? end, string startName, string endName, ValidationErrors errors)
    {
        if (start is null && end is null)
        {
            return new QueryDateRange("last_30_days");
        }
        if (start is null || end is null)
        {
            errors.Add(start is null ? startName : endName, $"give both {startName} and {endName}, or neither for the last 30 days");
            return null;
        }
        return QueryParser.Dates(start, end, startName, endName, endName, errors);
    }

    /// <summary>The report, or the 503 of a query that ran too long.</summary>
    public static async Task<IResult> GuardAsync(Func<Task<IResult>> report)
    {
        try
        {
            return await report();
        }
        catch (TimeoutException e)
        {
            return QueryApi.TooLong(e);
        }
    }

    /// <summary>A report over <c>start_date</c>/<c>end_date</c> (Allnimall, MCP): 400 when they are bad, 503 when too slow.</summary>
    public static Task<IResult> OverDatesAsync(string? start, string? end, Func<QueryDateRange, Task<IResult>> report) => GuardAsync(async () =>
    {
        var errors = new ValidationErrors();
        var range = Dates(start, end, "start_date", "end_date", errors);
        return errors.IsEmpty ? await report(range!) : Invalid(errors);
    });

    /// <summary>A report over one of AquaScene's periods: 400 when it is unknown, 503 when too slow.</summary>
    public static Task<IResult> OverPeriodAsync(string? period, Func<QueryDateRange, Task<IResult>> report) => GuardAsync(async () =>
    {
        var errors = new ValidationErrors();
        var range = Period(period, errors);
        return errors.IsEmpty ? await report(range!) : Invalid(errors);
    });

    public static IResult Invalid(ValidationErrors errors) => TypedResults.ValidationProblem(errors.ToDictionary(), title: "The report cannot be made.");
}
