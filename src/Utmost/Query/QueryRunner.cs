using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Utmost.Attribution;
using Utmost.Campaigns;
using Utmost.Core.Campaigns;
using Utmost.Core.Common;
using Utmost.Core.Costs;
using Utmost.Core.Metrics;
using Utmost.Core.Query;
using Utmost.Costs;
using Utmost.Hosting;
using Utmost.Metrics;
using Utmost.Tenancy;

namespace Utmost.Query;

/// <summary>The response of <c>POST /api/v2/query</c>: Plausible's shape, with the query echoed as it was understood.</summary>
public sealed record QueryResponse(IReadOnlyList<QueryResultRow> Results, QueryMeta Meta, QueryEcho Query);

public sealed record QueryMeta(IReadOnlyList<string> Warnings, string Currency, string TimeZone)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? TimeLabels { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TotalRows { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? ComparisonDateRange { get; init; }
}

/// <summary>The query normalised: defaults filled in, the date range resolved to dates (or instants) in the tenant's zone.</summary>
public sealed record QueryEcho(IReadOnlyList<string> Metrics, string[] DateRange, IReadOnlyList<string> Dimensions, IReadOnlyList<object> Filters,
    IReadOnlyList<string[]> OrderBy, QueryEchoInclude Include, QueryEchoPagination Pagination);

public sealed record QueryEchoInclude(string? Comparisons, bool TimeLabels, bool TotalRows);

public sealed record QueryEchoPagination(int Limit, int Offset);

/// <summary>
/// Runs an <see cref="AnalyticsQuery"/> for a tenant: resolves its period, plans it, has the engine add up each
/// period's groups (totals, revenue per currency), adds advertising cost from the daily cost rows, and assembles
/// the page. Answers are cached briefly per tenant (<see cref="AnalyticsCache"/>).
/// </summary>
public sealed class QueryRunner(IQueryEngine engine, IMarketingAnalytics analytics, ICostStore costs, ICampaignStore campaigns,
    TimeProvider clock, IOptions<UtmostOptions> options, AnalyticsCache cache, Sessions.SessionBuilder sessions, VisitRollups rollups)
{
    /// <summary>Campaigns read for the channel of a cost row that names only a campaign.</summary>
    private const int MaxCampaigns = 10_000;

    private static readonly JsonSerializerOptions KeyJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private TimeSpan Timeout => TimeSpan.FromSeconds(options.Value.Query.TimeoutSeconds);

    /// <exception cref="TimeoutException">The database took longer than the configured time.</exception>
    public async Task<QueryResponse> RunAsync(Tenant tenant, AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var (period, zone) = await ResolveAsync(tenant, query.DateRange, analytics, clock, cancellationToken);
        var echo = Echo(query, period, zone);
        var key = JsonSerializer.Serialize(echo, KeyJson) + tenant.TimeZone;
        return await cache.GetOrComputeAsync(tenant.Key, key, () => ComputeAsync(tenant, query, period, zone, echo, cancellationToken));
    }

    /// <summary>The period a date range names for the tenant, today in its zone; <c>all</c> starts on its first event.</summary>
    public static async Task<(QueryPeriod Period, TimeZoneInfo Zone)> ResolveAsync(Tenant tenant, QueryDateRange range, IMarketingAnalytics analytics,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        TimeZones.TryFind(tenant.TimeZone, out var zone);
        var today = TimeZones.LocalDate(clock.GetUtcNow(), zone);
        DateOnly? firstDay = null;
        if (range.Preset == DateRangePresets.All && await analytics.SpanAsync(tenant, new TimeRange(null, null), cancellationToken) is { } span)
        {
            firstDay = TimeZones.LocalDate(DateTimeOffset.FromUnixTimeMilliseconds(span.FirstMs), zone);
        }
        return (QueryPeriod.Resolve(range, zone, today, firstDay), zone);
    }

    private async Task<QueryResponse> ComputeAsync(Tenant tenant, AnalyticsQuery query, QueryPeriod period, TimeZoneInfo zone, QueryEcho echo,
        CancellationToken cancellationToken)
    {
        // What was acknowledged before the question is in the answer: its sessions are built first.
        await cache.CatchUpAsync(tenant.Key, () => sessions.CatchUpAsync(cancellationToken));
        var plan = QueryPlan.For(query, period);
        if (plan.ReadsRollup && !options.Value.Query.VisitRollup)
        {
            plan = plan with { ReadsRollup = false };
        }
        if (plan.ReadsRollup)
        {
            await rollups.EnsureFreshAsync(tenant, cancellationToken);
        }
        var warnings = plan.Warnings.ToList();
        var compared = period.ComparedWith(query.Include.Comparison, zone);
        // The two periods at once: the engines answer concurrent reads in parallel.
        var currentTask = GroupsAsync(tenant, query, plan, period, zone, cancellationToken);
        var previousTask = compared is null ? null : GroupsAsync(tenant, query, plan, compared, zone, cancellationToken);
        var current = await currentTask;
        var previous = previousTask is null ? null : await previousTask;

        var costRows = plan.NeedsCost ? await CostRowsAsync(tenant, period, cancellationToken) : [];
        var currency = ReportCurrency(current.Values, costRows);
        if (plan.NeedsRevenue && current.Values.SelectMany(g => g.Revenue).Where(r => r.Key != currency).Sum(r => r.Value.Orders) is var other and > 0)
        {
            warnings.Add($"revenue leaves out {other} order(s) in currencies other than {currency}");
        }
        if (plan.NeedsCost)
        {
            var tenantCampaigns = await campaigns.ListAsync(tenant.Id, null, MaxCampaigns, 0, cancellationToken);
            AddCosts(current, costRows, currency, query, plan, tenant, tenantCampaigns);
            if (compared is not null)
            {
                AddCosts(previous!, await CostRowsAsync(tenant, compared, cancellationToken), currency, query, plan, tenant, tenantCampaigns);
            }
            if (costRows.Count(r => r.Currency != currency) is var otherRows and > 0)
            {
                warnings.Add($"cost leaves out {otherRows} daily cost row(s) in currencies other than {currency}");
            }
        }
        var buckets = plan.Grain is { } grain ? TimeBuckets.All(grain, period, zone) : null;
        var answer = QueryResults.Assemble(query, plan, current, buckets, currency,
            previous is null ? null : (previous, plan.Grain is { } g ? TimeBuckets.All(g, compared!, zone) : null));
        var meta = new QueryMeta(warnings, currency, tenant.TimeZone)
        {
            TimeLabels = answer.TimeLabels,
            TotalRows = query.Include.TotalRows ? answer.TotalRows : null,
            ComparisonDateRange = compared?.ToJson(zone),
        };
        return new QueryResponse(answer.Results, meta, echo);
    }

    /// <summary>One period's totals per group: one statement for the counts, one for revenue per currency when asked.</summary>
    private async Task<Dictionary<GroupKey, GroupTotals>> GroupsAsync(Tenant tenant, AnalyticsQuery query, QueryPlan plan, QueryPeriod period,
        TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var dialects = await engine.DialectsAsync(tenant.Key, readsEvents: !plan.ReadsRollup, cancellationToken);
        QuerySqlBuilder Builder() => new(dialects(), query, plan, tenant.Goals, zone, sessions.LookbackMs);
        var width = query.Dimensions.Count;
        var groups = new Dictionary<GroupKey, GroupTotals>();
        GroupTotals Group(object?[] row)
        {
            var key = new GroupKey(row.Take(width).Select(Text).ToArray());
            if (!groups.TryGetValue(key, out var totals))
            {
                groups[key] = totals = new GroupTotals();
            }
            return totals;
        }
        var totalsTask = engine.RunAsync(Builder().Totals(tenant.Key, period), Timeout, cancellationToken);
        var revenueTask = plan.NeedsRevenue ? engine.RunAsync(Builder().Revenue(tenant.Key, period), Timeout, cancellationToken) : null;
        foreach (var row in await totalsTask)
        {
            var totals = Group(row);
            var n = row.Skip(width).Select(Number).ToArray();
            (totals.Visitors, totals.Visits, totals.Pageviews, totals.Events, totals.Bounces) = (n[0], n[1], n[2], n[3], n[4]);
            (totals.DurationMs, totals.ConvertedVisits, totals.Conversions, totals.Leads) = (n[5], n[6], n[7], n[8]);
        }
        if (revenueTask is not null)
        {
            foreach (var row in await revenueTask)
            {
                Group(row).AddRevenue(Text(row[width])!, Number(row[width + 1]), Number(row[width + 2]));
            }
        }
        return groups;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static long Number(object? value) => value switch
    {
        null => 0,
        long number => number,
        double number => (long)number,
        string text => long.Parse(text, CultureInfo.InvariantCulture),
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    private async Task<IReadOnlyList<CostRow>> CostRowsAsync(Tenant tenant, QueryPeriod period, CancellationToken cancellationToken) =>
        await costs.ListAsync(tenant.Id, period.FirstDay, period.LastDay, int.MaxValue, 0, cancellationToken);

    /// <summary>The currency of most orders with a value; without any, that of most cost rows; else the default.</summary>
    private static string ReportCurrency(IEnumerable<GroupTotals> groups, IReadOnlyList<CostRow> costRows) =>
        groups.SelectMany(g => g.Revenue).GroupBy(r => r.Key).Select(c => (c.Key, Orders: c.Sum(r => r.Value.Orders)))
            .OrderByDescending(c => c.Orders).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key).FirstOrDefault()
        ?? costRows.GroupBy(r => r.Currency).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault()
        ?? CampaignRules.DefaultCurrency;

    /// <summary>
    /// Adds each daily cost row (in the report's currency) to the group it belongs to: the plan allows cost only with
    /// dimensions and filters a cost row has (source, medium, campaign, channel, days and longer).
    /// </summary>
    private static void AddCosts(Dictionary<GroupKey, GroupTotals> groups, IReadOnlyList<CostRow> rows, string currency, AnalyticsQuery query,
        QueryPlan plan, Tenant tenant, IReadOnlyList<Campaign> tenantCampaigns)
    {
        var rules = ChannelRulesJson.ChannelRulesOf(tenant);
        foreach (var row in rows.Where(r => r.Currency == currency))
        {
            var channel = ChannelPerformanceApi.CostChannel(row.Source, row.Medium, row.Campaign, tenantCampaigns, rules);
            string? ValueOf(Dimension d) => d.Kind switch
            {
                DimensionKind.VisitSource => row.Source,
                DimensionKind.VisitMedium => row.Medium,
                DimensionKind.VisitCampaign => row.Campaign,
                DimensionKind.VisitChannel => channel,
                _ => QueryResults.Text(TimeBuckets.OfDay(plan.Grain!.Value, OffsetSegments.NumberOfDay(row.Date))),
            };
            if (query.Filters.All(f => QueryFilters.Matches(f, ValueOf)))
            {
                var key = new GroupKey(query.Dimensions.Select(ValueOf).ToArray());
                if (!groups.TryGetValue(key, out var totals))
                {
                    groups[key] = totals = new GroupTotals();
                }
                totals.CostMicros += row.CostMicros;
            }
        }
    }

    public static QueryEcho Echo(AnalyticsQuery query, QueryPeriod period, TimeZoneInfo zone) => new(
        query.Metrics.Select(QueryMetrics.NameOf).ToArray(),
        period.ToJson(zone),
        query.Dimensions.Select(d => d.Name).ToArray(),
        query.Filters.Select(QueryFilters.ToJson).ToArray(),
        query.OrderBy.Select(o => new[] { o.Name, o.Descending ? "desc" : "asc" }).ToArray(),
        new QueryEchoInclude(query.Include.Comparison switch
        {
            Comparison.PreviousPeriod => "previous_period",
            Comparison.YearOverYear => "year_over_year",
            _ => null,
        }, query.Include.TimeLabels, query.Include.TotalRows),
        new QueryEchoPagination(query.Limit, query.Offset));
}
