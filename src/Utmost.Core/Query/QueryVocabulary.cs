using System.Text.RegularExpressions;

namespace Utmost.Core.Query;

/// <summary>What a query can measure; each has one registry entry in <see cref="QueryMetrics"/>.</summary>
public enum Metric
{
    Visitors,
    Visits,
    Pageviews,
    Events,
    ViewsPerVisit,
    BounceRate,
    VisitDuration,
    Conversions,
    ConversionRate,
    Revenue,
    AverageOrderValue,
    Leads,
    Cost,
    Roas,
    Cpa,
}

/// <summary>The metrics by their API names (Plausible's where it has one).</summary>
public static class QueryMetrics
{
    private static readonly (Metric Metric, string Name)[] Entries =
    [
        (Metric.Visitors, "visitors"), (Metric.Visits, "visits"), (Metric.Pageviews, "pageviews"), (Metric.Events, "events"),
        (Metric.ViewsPerVisit, "views_per_visit"), (Metric.BounceRate, "bounce_rate"), (Metric.VisitDuration, "visit_duration"),
        (Metric.Conversions, "conversions"), (Metric.ConversionRate, "conversion_rate"), (Metric.Revenue, "revenue"),
        (Metric.AverageOrderValue, "average_order_value"), (Metric.Leads, "leads"), (Metric.Cost, "cost"), (Metric.Roas, "roas"), (Metric.Cpa, "cpa"),
    ];

    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    public static string NameOf(Metric metric) => Entries.First(e => e.Metric == metric).Name;

    public static bool TryParse(string name, out Metric metric)
    {
        foreach (var (candidate, candidateName) in Entries)
        {
            if (candidateName == name)
            {
                metric = candidate;
                return true;
            }
        }
        metric = default;
        return false;
    }
}

/// <summary>What results can be grouped and filtered by: an event's or a visit's attribute, or time.</summary>
public enum DimensionKind
{
    EventType,
    EventName,
    EventPage,
    EventGoal,
    EventProperty,
    VisitSource,
    VisitMedium,
    VisitCampaign,
    VisitContent,
    VisitTerm,
    VisitChannel,
    VisitLeadSource,
    VisitReferrer,
    VisitEntryPage,
    VisitExitPage,
    VisitDevice,
    VisitBrowser,
    VisitOs,
    VisitCountry,
    Time,
    TimeHour,
    TimeDay,
    TimeWeek,
    TimeMonth,
}

/// <summary>A dimension as a query names it; <see cref="PropertyKey"/> only for <c>event:props:&lt;key&gt;</c>.</summary>
public sealed record Dimension(DimensionKind Kind, string Name, string? PropertyKey = null)
{
    public bool IsTime => Kind is DimensionKind.Time or DimensionKind.TimeHour or DimensionKind.TimeDay or DimensionKind.TimeWeek or DimensionKind.TimeMonth;
}

/// <summary>The dimensions by their API names, Plausible's <c>event:</c>/<c>visit:</c> scheme.</summary>
public static partial class QueryDimensions
{
    public const string PropertyPrefix = "event:props:";

    private static readonly (DimensionKind Kind, string Name)[] Entries =
    [
        (DimensionKind.EventType, "event:type"), (DimensionKind.EventName, "event:name"), (DimensionKind.EventPage, "event:page"),
        (DimensionKind.EventGoal, "event:goal"), (DimensionKind.VisitSource, "visit:source"), (DimensionKind.VisitMedium, "visit:medium"),
        (DimensionKind.VisitCampaign, "visit:campaign"), (DimensionKind.VisitContent, "visit:content"), (DimensionKind.VisitTerm, "visit:term"),
        (DimensionKind.VisitChannel, "visit:channel"), (DimensionKind.VisitLeadSource, "visit:lead_source"),
        (DimensionKind.VisitReferrer, "visit:referrer"), (DimensionKind.VisitEntryPage, "visit:entry_page"),
        (DimensionKind.VisitExitPage, "visit:exit_page"), (DimensionKind.VisitDevice, "visit:device"), (DimensionKind.VisitBrowser, "visit:browser"),
        (DimensionKind.VisitOs, "visit:os"), (DimensionKind.VisitCountry, "visit:country"), (DimensionKind.Time, "time"),
        (DimensionKind.TimeHour, "time:hour"), (DimensionKind.TimeDay, "time:day"), (DimensionKind.TimeWeek, "time:week"),
        (DimensionKind.TimeMonth, "time:month"),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name), PropertyPrefix + "<key>"];

    /// <summary>The dimension, or null with why not (an unknown name, a property key that is empty or odd).</summary>
    public static Dimension? Parse(string name, out string? error)
    {
        error = null;
        foreach (var (kind, candidate) in Entries)
        {
            if (candidate == name)
            {
                return new Dimension(kind, name);
            }
        }
        if (name.StartsWith(PropertyPrefix, StringComparison.Ordinal))
        {
            var key = name[PropertyPrefix.Length..];
            if (PropertyKey().IsMatch(key))
            {
                return new Dimension(DimensionKind.EventProperty, name, key);
            }
            error = $"Invalid property '{key}': a property key is 1 to 64 letters, digits, '_', '-' or '.'";
            return null;
        }
        error = $"Unknown dimension '{name}'";
        return null;
    }

    /// <summary>Whether a property name is one a query may name (and SQL may carry in a JSON path): 1 to 64 letters, digits, '_', '-', '.'.</summary>
    public static bool IsPropertyKey(string key) => PropertyKey().IsMatch(key);

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PropertyKey();
}
