using Utmost.Campaigns;
using Utmost.Core.Common;
using Utmost.Core.Funnels;
using Utmost.Core.Query;
using Utmost.Funnels;
using Utmost.Metrics;
using Utmost.Query;
using Utmost.Tenancy;
using static Utmost.Reports.ReportQueries;

namespace Utmost.Reports;

/// <summary>
/// AquaScene's dashboard endpoints (<c>/api/v1/analytics/…</c>) as thin shapes over the query model and funnels:
/// the overview with a comparison, channel performance with daily trends, the funnel, and the realtime panel.
/// </summary>
public static class DashboardReportsApi
{
    public sealed record TopChannel(string? Channel, MetricChange Visits, MetricChange Conversions, MetricChange Revenue);

    public sealed record OverviewResponse(string Period, string[] DateRange, string CompareTo, string[]? ComparisonDateRange, string Currency,
        MetricChange TotalRevenue, MetricChange TotalConversions, MetricChange CostPerAcquisition, MetricChange ReturnOnAdSpend, MetricChange Visitors,
        MetricChange Visits, MetricChange ConversionRate, IReadOnlyList<TopChannel> TopChannels, IReadOnlyList<string> Warnings);

    public sealed record TrendPoint(string Date, object? Visits, object? Conversions, object? Revenue);

    public sealed record ChannelRow(string? Channel, object? Visitors, object? Visits, object? BounceRate, object? Conversions, object? ConversionRate,
        object? Revenue, object? Cost, object? Roas, object? Cpa, IReadOnlyList<TrendPoint> Trend);

    public sealed record ChannelPerformanceResponse(string Period, string[] DateRange, string Currency, IReadOnlyList<ChannelRow> Channels);

    public sealed record FunnelStagesResponse(string Period, string[] DateRange, string Funnel, string? FunnelId, IReadOnlyList<FunnelStepReport> Stages);

    public sealed record LiveConversion(DateTimeOffset At, string? Goal, string EventType, decimal? Value, string? Currency, string? OrderId,
        string? Source, string? Channel);

    public sealed record ActiveCampaign(string Id, string Name, string? Type, string? UtmCampaign);

    public sealed record RealtimeResponse(DateTimeOffset At, long VisitorsLast5Minutes, long EventsLast5Minutes, int ActiveCampaignCount,
        IReadOnlyList<ActiveCampaign> ActiveCampaigns, IReadOnlyList<LiveConversion> LatestConversions);

    /// <summary>The funnel of the AEON module, used when the tenant has defined none.</summary>
    public static readonly IReadOnlyList<FunnelStep> DefaultFunnel =
    [
        new("Page view", "page_view"), new("Form submitted", "form_submit"), new("Lead", "lead_created"),
        new("Quote requested", "quote_requested"), new("Job", "job_created"),
    ];

    private static readonly Metric[] ChannelMetrics =
        [Metric.Visitors, Metric.Visits, Metric.BounceRate, Metric.Conversions, Metric.ConversionRate, Metric.Revenue, Metric.Cost, Metric.Roas, Metric.Cpa];

    public static IEndpointRouteBuilder MapDashboardReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/analytics").WithTags("Reports").RequireAuthorization(Policies.Read);
        group.MapGet("/metrics/overview", Overview)
            .WithSummary("Revenue, conversions, CPA, ROAS, visitors and the top channels, each with the comparison period and the change");
        group.MapGet("/metrics/channel-performance", ChannelPerformance).WithSummary("Per channel: traffic, conversions, revenue, cost, ROAS, CPA and a daily trend");
        group.MapGet("/metrics/funnel", FunnelStages).WithSummary("The funnel's stages with conversion rates (a tenant funnel, or AEON's default)");
        group.MapGet("/dashboard/realtime", Realtime).WithSummary("Visitors in the last 5 minutes, active campaigns, the latest conversions");
        return app;
    }

    public static Task<IResult> Overview(Caller caller, QueryRunner runner, string? period, string? compare_to, CancellationToken cancellationToken) =>
        OverPeriodAsync(period, async range =>
        {
            var errors = new ValidationErrors();
            var comparison = CompareTo(compare_to, errors);
            if (!errors.IsEmpty)
            {
                return Invalid(errors);
            }
            var totalsQuery = Ask(range, [Metric.Revenue, Metric.Conversions, Metric.Cpa, Metric.Roas, Metric.Visitors, Metric.Visits, Metric.ConversionRate],
                comparison: comparison);
            var channelsQuery = Ask(range, [Metric.Visits, Metric.Conversions, Metric.Revenue], ["visit:channel"], comparison, limit: 5);
            var totals = await runner.RunAsync(caller.Tenant, totalsQuery, cancellationToken);
            var channels = await runner.RunAsync(caller.Tenant, channelsQuery, cancellationToken);
            var row = totals.Results[0];
            MetricChange Of(Metric m) => Change(totalsQuery, row, m);
            return TypedResults.Ok(new OverviewResponse(period ?? "month", totals.Query.DateRange, compare_to ?? "previous_period",
                totals.Meta.ComparisonDateRange, totals.Meta.Currency, Of(Metric.Revenue), Of(Metric.Conversions), Of(Metric.Cpa), Of(Metric.Roas),
                Of(Metric.Visitors), Of(Metric.Visits), Of(Metric.ConversionRate),
                channels.Results.Select(r => new TopChannel(r.Dimensions[0], Change(channelsQuery, r, Metric.Visits), Change(channelsQuery, r, Metric.Conversions),
                    Change(channelsQuery, r, Metric.Revenue))).ToList(),
                totals.Meta.Warnings));
        });

    public static Task<IResult> ChannelPerformance(Caller caller, QueryRunner runner, string? period, CancellationToken cancellationToken) =>
        OverPeriodAsync(period, async range =>
        {
            var byChannel = Ask(range, ChannelMetrics, ["visit:channel"]);
            var byDay = Ask(range, [Metric.Visits, Metric.Conversions, Metric.Revenue], ["visit:channel", "time:day"], timeLabels: true);
            var channels = await runner.RunAsync(caller.Tenant, byChannel, cancellationToken);
            var days = await runner.RunAsync(caller.Tenant, byDay, cancellationToken);
            var labels = days.Meta.TimeLabels ?? [];
            var rows = channels.Results.Select(r =>
            {
                var points = days.Results.Where(d => d.Dimensions[0] == r.Dimensions[0]).ToDictionary(d => d.Dimensions[1]!);
                var trend = labels.Select(label => points.TryGetValue(label, out var p)
                    ? new TrendPoint(label, Value(byDay, p, Metric.Visits), Value(byDay, p, Metric.Conversions), Value(byDay, p, Metric.Revenue))
                    : new TrendPoint(label, 0L, 0L, 0m)).ToList();
                object? V(Metric m) => Value(byChannel, r, m);
                return new ChannelRow(r.Dimensions[0], V(Metric.Visitors), V(Metric.Visits), V(Metric.BounceRate), V(Metric.Conversions),
                    V(Metric.ConversionRate), V(Metric.Revenue), V(Metric.Cost), V(Metric.Roas), V(Metric.Cpa), trend);
            }).ToList();
            return TypedResults.Ok(new ChannelPerformanceResponse(period ?? "month", channels.Query.DateRange, channels.Meta.Currency, rows));
        });

    public static Task<IResult> FunnelStages(Caller caller, FunnelStore store, FunnelReporter reporter, IMarketingAnalytics analytics, TimeProvider clock,
        string? period, string? funnel_id, CancellationToken cancellationToken) => OverPeriodAsync(period, async range =>
        {
            var funnel = funnel_id is null
                ? (await store.ListAsync(caller.Tenant.Id, cancellationToken)).FirstOrDefault()
                : await store.GetAsync(caller.Tenant.Id, funnel_id, cancellationToken);
            if (funnel is null && funnel_id is not null)
            {
                return Hosting.Problems.NotFound("funnel", funnel_id);
            }
            funnel ??= new Funnel("", caller.Tenant.Id, "Lead to job", DefaultFunnel, FunnelRules.DefaultWindowHours, FunnelOrder.Strict, clock.GetUtcNow());
            var (resolved, zone) = await QueryRunner.ResolveAsync(caller.Tenant, range, analytics, clock, cancellationToken);
            var (steps, _) = await reporter.ReportAsync(caller.Tenant, funnel, resolved, null, cancellationToken);
            return TypedResults.Ok(new FunnelStagesResponse(period ?? "month", resolved.ToJson(zone), funnel.Name, funnel.Id.Length == 0 ? null : funnel.Id, steps));
        });

    public static Task<IResult> Realtime(Caller caller, IQueryEngine engine, ICampaignStore campaigns, TimeProvider clock, Microsoft.Extensions.Options.IOptions<Hosting.UtmostOptions> options,
        CancellationToken cancellationToken) => GuardAsync(async () =>
        {
            var now = clock.GetUtcNow();
            var timeout = TimeSpan.FromSeconds(options.Value.Query.TimeoutSeconds);
            var dialects = await engine.DialectsAsync(caller.Tenant.Key, readsEvents: true, cancellationToken);
            var live = new RealtimeSql(dialects(), caller.Tenant);
            var counts = (await engine.RunAsync(live.Live(now), timeout, cancellationToken))[0];
            var recent = new RealtimeSql(dialects(), caller.Tenant);
            var conversions = (await engine.RunAsync(recent.LatestConversions(now, 10), timeout, cancellationToken)).Select(r => new LiveConversion(
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r[0])), r[1] as string, (string)r[2]!,
                r[3] is null ? null : Money.FromMicros(Convert.ToInt64(r[3])), r[4] as string, r[5] as string, r[6] as string, r[7] as string)).ToList();
            var active = (await campaigns.ListAsync(caller.Tenant.Id, "active", 1000, 0, cancellationToken))
                .Select(c => new ActiveCampaign(c.Id, c.CampaignName, c.CampaignType, c.UtmCampaign)).ToList();
            return TypedResults.Ok(new RealtimeResponse(now, Convert.ToInt64(counts[0] ?? 0L), Convert.ToInt64(counts[1] ?? 0L), active.Count, active, conversions));
        });
}
