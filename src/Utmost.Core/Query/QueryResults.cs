using Utmost.Core.Common;
using Utmost.Core.Metrics;

namespace Utmost.Core.Query;

/// <summary>
/// What the databases add up for one group of a query's dimensions: plain counts and sums, from which every metric
/// is worked out here, the same way whichever engine counted. Revenue is kept per currency until the report's
/// currency is chosen; cost is already in it.
/// </summary>
public sealed class GroupTotals
{
    public long Visitors { get; set; }
    public long Visits { get; set; }
    public long Pageviews { get; set; }
    public long Events { get; set; }
    public long Bounces { get; set; }
    public long DurationMs { get; set; }
    public long ConvertedVisits { get; set; }
    public long Conversions { get; set; }
    public long Leads { get; set; }
    public Dictionary<string, (long Micros, long Orders)> Revenue { get; } = new(StringComparer.Ordinal);
    public long CostMicros { get; set; }

    public void AddRevenue(string currency, long micros, long orders)
    {
        var (m, o) = Revenue.GetValueOrDefault(currency);
        Revenue[currency] = (m + micros, o + orders);
    }

    public object? Value(Metric metric, string? currency)
    {
        var (revenueMicros, orders) = currency is null ? default : Revenue.GetValueOrDefault(currency);
        var revenue = Money.FromMicros(revenueMicros);
        var cost = Money.FromMicros(CostMicros);
        return metric switch
        {
            Metric.Visitors => Visitors,
            Metric.Visits => Visits,
            Metric.Pageviews => Pageviews,
            Metric.Events => Events,
            Metric.ViewsPerVisit => Visits > 0 ? Math.Round((double)Pageviews / Visits, 2, MidpointRounding.AwayFromZero) : 0.0,
            Metric.BounceRate => MarketingRates.Percent(Bounces, Visits),
            // Whole seconds, as Plausible reports it.
            Metric.VisitDuration => Visits > 0 ? (long)Math.Round(DurationMs / 1000.0 / Visits, MidpointRounding.AwayFromZero) : 0L,
            Metric.Conversions => Conversions,
            Metric.ConversionRate => MarketingRates.Percent(ConvertedVisits, Visits),
            Metric.Revenue => Math.Round(revenue, 2, MidpointRounding.AwayFromZero),
            Metric.AverageOrderValue => MarketingRates.PerUnit(revenue, orders),
            Metric.Leads => Leads,
            Metric.Cost => Math.Round(cost, 2, MidpointRounding.AwayFromZero),
            Metric.Roas => CostMicros > 0 ? Math.Round(revenue / cost, 2, MidpointRounding.AwayFromZero) : 0m,
            Metric.Cpa => MarketingRates.PerUnit(cost, Conversions),
            _ => throw new ArgumentOutOfRangeException(nameof(metric)),
        };
    }
}

/// <summary>A group's dimension values, compared value by value (null equals null).</summary>
public sealed class GroupKey(IReadOnlyList<string?> values) : IEquatable<GroupKey>
{
    public IReadOnlyList<string?> Values { get; } = values;

    public bool Equals(GroupKey? other) => other is not null && Values.SequenceEqual(other.Values, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as GroupKey);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var value in Values)
        {
            hash.Add(value, StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }
}

public sealed record QueryComparison(IReadOnlyList<string?> Dimensions, IReadOnlyList<object?> Metrics, IReadOnlyList<double?> Change);

public sealed record QueryResultRow(IReadOnlyList<string?> Dimensions, IReadOnlyList<object?> Metrics)
{
    /// <summary>Only when a comparison was asked for.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public QueryComparison? Comparison { get; init; }
}

/// <summary>The rows of one page, with what the response's meta reports about them.</summary>
public sealed record QueryAnswer(IReadOnlyList<QueryResultRow> Results, int TotalRows, IReadOnlyList<string>? TimeLabels);

/// <summary>
/// Turns grouped totals into a response's rows: metrics worked out, time buckets labelled (and zero-filled when
/// asked), sorted, paged, and matched with the comparison period's rows.
/// </summary>
public static class QueryResults
{
    /// <param name="groups">The totals by dimension values; a time dimension's value is its bucket number as text.</param>
    /// <param name="previous">The comparison period's totals and its buckets, when comparing.</param>
    public static QueryAnswer Assemble(AnalyticsQuery query, QueryPlan plan, IReadOnlyDictionary<GroupKey, GroupTotals> groups,
        IReadOnlyList<long>? buckets, string? currency,
        (IReadOnlyDictionary<GroupKey, GroupTotals> Groups, IReadOnlyList<long>? Buckets)? previous = null)
    {
        var timeIndex = IndexOfTime(query);
        var rows = new Dictionary<GroupKey, GroupTotals>(groups);
        // Zero-filled: every bucket of the period, when time is the only dimension.
        if (query.Include.TimeLabels && buckets is not null && query.Dimensions.Count == 1 && timeIndex == 0)
        {
            foreach (var bucket in buckets)
            {
                rows.TryAdd(new GroupKey([Text(bucket)]), new GroupTotals());
            }
        }
        var ordered = Sort(query, plan, rows, currency).ToList();
        // The comparison's bucket of each bucket: the one at the same place in its period.
        var previousBucketOf = buckets is null || previous?.Buckets is not { } before
            ? null
            : buckets.Zip(before).ToDictionary(pair => Text(pair.First), pair => Text(pair.Second), StringComparer.Ordinal);
        var page = ordered.Skip(query.Offset).Take(query.Limit).Select(pair =>
        {
            var row = new QueryResultRow(Labelled(pair.Key.Values, timeIndex, plan.Grain), MetricValues(query, plan, pair.Value, currency));
            if (previous is { } before)
            {
                row = row with { Comparison = Compare(query, plan, pair.Key, row, before.Groups, previousBucketOf, timeIndex, currency) };
            }
            return row;
        }).ToList();
        var labels = query.Include.TimeLabels && buckets is not null ? buckets.Select(b => TimeBuckets.Label(plan.Grain!.Value, b)).ToList() : null;
        return new QueryAnswer(page, ordered.Count, labels);
    }

    private static int IndexOfTime(AnalyticsQuery query)
    {
        for (var i = 0; i < query.Dimensions.Count; i++)
        {
            if (query.Dimensions[i].IsTime)
            {
                return i;
            }
        }
        return -1;
    }

    public static string Text(long bucket) => bucket.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static IReadOnlyList<string?> Labelled(IReadOnlyList<string?> values, int timeIndex, TimeGrain? grain) => timeIndex < 0
        ? values
        : values.Select((v, i) => i == timeIndex && v is not null ? TimeBuckets.Label(grain!.Value, long.Parse(v, System.Globalization.CultureInfo.InvariantCulture)) : v).ToList();

    private static object?[] MetricValues(AnalyticsQuery query, QueryPlan plan, GroupTotals totals, string? currency) =>
        query.Metrics.Select(m => plan.Unavailable.Contains(m) ? null : totals.Value(m, currency)).ToArray();

    /// <summary>
    /// The order asked for, then the defaults: time ascending, else the first metric descending; ties by the
    /// dimension values, so every engine gives the same page.
    /// </summary>
    private static IEnumerable<KeyValuePair<GroupKey, GroupTotals>> Sort(AnalyticsQuery query, QueryPlan plan,
        Dictionary<GroupKey, GroupTotals> rows, string? currency)
    {
        var orders = query.OrderBy.ToList();
        if (orders.Count == 0)
        {
            orders.Add(query.Dimensions.FirstOrDefault(d => d.IsTime) is { } time
                ? new QueryOrder(time.Name, Descending: false)
                : new QueryOrder(QueryMetrics.NameOf(query.Metrics[0]), Descending: true));
        }
        // Each order resolved once to what it compares, not again for every pair the sort looks at.
        var comparers = orders.Select(order =>
        {
            var comparer = ComparerFor(query, plan, order.Name, currency);
            return order.Descending ? (a, b) => comparer(b, a) : comparer;
        }).ToList();
        var list = rows.ToList();
        list.Sort((a, b) =>
        {
            foreach (var comparer in comparers)
            {
                var compared = comparer(a, b);
                if (compared != 0)
                {
                    return compared;
                }
            }
            return CompareValues(a.Key.Values, b.Key.Values);
        });
        return list;
    }

    private static Comparison<KeyValuePair<GroupKey, GroupTotals>> ComparerFor(AnalyticsQuery query, QueryPlan plan, string name, string? currency)
    {
        var dimension = query.Dimensions.ToList().FindIndex(d => d.Name == name);
        if (dimension >= 0)
        {
            return query.Dimensions[dimension].IsTime
                ? (a, b) => Nullable.Compare(Bucket(a.Key.Values[dimension]), Bucket(b.Key.Values[dimension]))
                : (a, b) => string.CompareOrdinal(a.Key.Values[dimension], b.Key.Values[dimension]);
        }
        QueryMetrics.TryParse(name, out var metric);
        if (plan.Unavailable.Contains(metric))
        {
            return (_, _) => 0;
        }
        return (a, b) => Convert.ToDecimal(a.Value.Value(metric, currency)).CompareTo(Convert.ToDecimal(b.Value.Value(metric, currency)));
    }

    private static long? Bucket(string? value) => value is null ? null : long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    private static int CompareValues(IReadOnlyList<string?> a, IReadOnlyList<string?> b)
    {
        for (var i = 0; i < a.Count; i++)
        {
            var compared = string.CompareOrdinal(a[i], b[i]);
            if (compared != 0)
            {
                return compared;
            }
        }
        return 0;
    }

    /// <summary>
    /// The comparison period's row for the same group: the same dimension values, with a time bucket matched by its
    /// place in the period (the third day with the third day), as Plausible matches them. Change is in percent; for
    /// rates (bounce and conversion rate) it is the difference in points.
    /// </summary>
    private static QueryComparison Compare(AnalyticsQuery query, QueryPlan plan, GroupKey key, QueryResultRow row,
        IReadOnlyDictionary<GroupKey, GroupTotals> previous, IReadOnlyDictionary<string, string>? previousBucketOf, int timeIndex, string? currency)
    {
        var values = key.Values.ToArray();
        if (timeIndex >= 0 && values[timeIndex] is { } bucket)
        {
            values[timeIndex] = previousBucketOf?.GetValueOrDefault(bucket);
        }
        var before = timeIndex >= 0 && values[timeIndex] is null
            ? new GroupTotals()
            : previous.GetValueOrDefault(new GroupKey(values)) ?? new GroupTotals();
        var metrics = MetricValues(query, plan, before, currency);
        var change = query.Metrics.Select((m, i) => Change(m, row.Metrics[i], metrics[i])).ToArray();
        return new QueryComparison(Labelled(values, timeIndex, plan.Grain), metrics, change);
    }

    private static double? Change(Metric metric, object? now, object? before)
    {
        if (now is null || before is null)
        {
            return null;
        }
        var (current, previous) = (Convert.ToDouble(now), Convert.ToDouble(before));
        if (metric is Metric.BounceRate or Metric.ConversionRate)
        {
            return Math.Round(current - previous, 2, MidpointRounding.AwayFromZero);
        }
        return previous == 0 ? null : Math.Round((current - previous) / previous * 100, 1, MidpointRounding.AwayFromZero);
    }
}
