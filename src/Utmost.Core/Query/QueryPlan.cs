namespace Utmost.Core.Query;

/// <summary>
/// Which rows a query counts. Visits answer every question about traffic (each session carries its page views,
/// events, conversions and revenue), so a query that names only visit attributes and time reads sessions alone;
/// a query naming an event attribute (type, page, goal, property) counts events, and joins each to its session
/// when it also needs a visit attribute or the visits.
/// </summary>
public enum QueryScope
{
    Sessions,
    Events,
}

/// <summary>How a parsed query will run, decided by pure rules before any SQL is written.</summary>
public sealed record QueryPlan(
    QueryScope Scope, bool JoinsSessions, TimeGrain? Grain, IReadOnlySet<Metric> Unavailable, IReadOnlyList<string> Warnings)
{
    private static readonly Metric[] VisitOnlyMetrics = [Metric.BounceRate, Metric.VisitDuration, Metric.ViewsPerVisit, Metric.ConversionRate];
    private static readonly Metric[] CostMetrics = [Metric.Cost, Metric.Roas, Metric.Cpa];

    /// <summary>The dimensions advertising cost is known by: a cost row has a day, a campaign, a source and a medium.</summary>
    private static readonly DimensionKind[] CostDimensions =
        [DimensionKind.VisitSource, DimensionKind.VisitMedium, DimensionKind.VisitCampaign, DimensionKind.VisitChannel];

    public bool Needs(Metric metric, params Metric[] anyOf) => anyOf.Prepend(metric).Any(m => Metrics.Contains(m) && !Unavailable.Contains(m));

    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    public bool NeedsRevenue => Needs(Metric.Revenue, Metric.AverageOrderValue, Metric.Roas);

    public bool NeedsCost => Needs(Metric.Cost, Metric.Roas, Metric.Cpa);

    /// <summary>
    /// Whether the visit rollup answers it: whole local days, and nothing named but the traffic source (channel,
    /// source, medium, campaign) and days or longer, the attributes the rollup keeps per day.
    /// </summary>
    public bool ReadsRollup { get; init; }

    private static readonly DimensionKind[] RollupDimensions =
        [DimensionKind.VisitChannel, DimensionKind.VisitSource, DimensionKind.VisitMedium, DimensionKind.VisitCampaign];

    public static QueryPlan For(AnalyticsQuery query, QueryPeriod period)
    {
        var filterDimensions = FilterDimensions(query.Filters).ToList();
        var named = query.Dimensions.Concat(filterDimensions).ToList();
        var scope = named.Any(IsEventDimension) ? QueryScope.Events : QueryScope.Sessions;
        var joins = scope == QueryScope.Events && (named.Any(IsVisitDimension) || query.Metrics.Contains(Metric.Visits));
        var time = query.Dimensions.FirstOrDefault(d => d.IsTime);
        TimeGrain? grain = time is null ? null : TimeBuckets.GrainOf(time.Kind, period);

        var unavailable = new HashSet<Metric>();
        var warnings = new List<string>();
        void Refuse(IEnumerable<Metric> metrics, string why)
        {
            foreach (var metric in metrics.Where(m => query.Metrics.Contains(m) && unavailable.Add(m)))
            {
                warnings.Add($"{QueryMetrics.NameOf(metric)} is null: {why}");
            }
        }
        if (scope == QueryScope.Events)
        {
            Refuse(VisitOnlyMetrics, "it describes whole visits, and the query counts events (it names an event dimension)");
        }
        var costBlind = named.FirstOrDefault(d => !(CostDimensions.Contains(d.Kind) || d.IsTime && grain != TimeGrain.Hour));
        if (costBlind is not null)
        {
            Refuse(CostMetrics, $"advertising cost is known per day, campaign, source and medium, not by {costBlind.Name}" +
                (costBlind.IsTime ? " (hours)" : ""));
        }
        if (named.Any(d => d.Kind == DimensionKind.VisitCountry))
        {
            warnings.Add("visit:country is null for every visit: Utmost does not look up countries yet");
        }
        var readsRollup = scope == QueryScope.Sessions && period.WholeDays
            && named.All(d => RollupDimensions.Contains(d.Kind) || d.IsTime && grain != TimeGrain.Hour);
        return new QueryPlan(scope, joins, grain, unavailable, warnings) { Metrics = query.Metrics, ReadsRollup = readsRollup };
    }

    public static bool IsEventDimension(Dimension d) =>
        d.Kind is DimensionKind.EventType or DimensionKind.EventName or DimensionKind.EventPage or DimensionKind.EventGoal or DimensionKind.EventProperty;

    public static bool IsVisitDimension(Dimension d) => !d.IsTime && !IsEventDimension(d);

    public static IEnumerable<Dimension> FilterDimensions(IEnumerable<QueryFilter> filters) => filters.SelectMany(f => f switch
    {
        FilterCondition c => [c.Dimension],
        FilterAll all => FilterDimensions(all.Filters),
        FilterAny any => FilterDimensions(any.Filters),
        FilterNot not => FilterDimensions([not.Filter]),
        _ => [],
    });
}
