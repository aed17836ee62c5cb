using Utmost.Attribution;
using Utmost.Campaigns;
using Utmost.Core.Campaigns;
using Utmost.Core.Common;
using Utmost.Core.Costs;
using Utmost.Core.Query;
using Utmost.Costs;
using Utmost.Query;
using Utmost.Tenancy;
using static Utmost.Reports.ReportQueries;

namespace Utmost.Reports;

/// <summary>
/// The campaign and engagement reports of Glamlink (MarketingStats), Allnimall (campaign analytics, ROI,
/// engagement) and the MCP service (the marketing dashboard), over the query model and the channel report.
/// </summary>
public static class CampaignReportsApi
{
    /// <summary>Glamlink's MarketingStats. The email fields stay null until Utmost sends email.</summary>
    public sealed record MarketingStatsResponse(string BrandId, string Period, string Date, string AttributionModel, string Currency,
        object? TotalSessions, object? UniqueVisitors, decimal SalesAttributedToMarketing, double OrdersAttributedToMarketing, double ConversionRate,
        decimal? AverageOrderValue, IReadOnlyList<ChannelPerformance> ChannelStats, long? EmailsSent, double? EmailOpenRate, double? EmailClickRate,
        DateTimeOffset UpdatedAt);

    public sealed record CampaignAnalytics(string? UtmCampaign, string? CampaignId, string? Name, string? Status, decimal? Budget, object? Visitors,
        object? Visits, object? Conversions, object? ConversionRate, object? Revenue, object? Cost, object? Roas, object? Cpa);

    public sealed record CampaignsResponse(string[] DateRange, string Currency, IReadOnlyList<CampaignAnalytics> Campaigns);

    public sealed record RoiResponse(string[] DateRange, string Currency, decimal TotalCost, decimal TotalRevenue, double? RoiPercent, int CampaignCount);

    public sealed record TypeEngagement(string? EventType, object? Events, object? Visitors);

    public sealed record DayEngagement(string Date, object? Visitors, object? Visits, object? Pageviews, object? BounceRate);

    public sealed record EngagementResponse(string[] DateRange, object? Visitors, object? Visits, object? Pageviews, object? ViewsPerVisit, object? BounceRate,
        double EngagementRate, object? VisitDuration, IReadOnlyList<TypeEngagement> EventsByType, IReadOnlyList<DayEngagement> Daily);

    public sealed record DashboardResponse(string[] DateRange, string Currency, int TotalCampaigns, int ActiveCampaigns, double? TotalRoi, double EngagementRate,
        IReadOnlyList<CampaignAnalytics> CampaignPerformance, IReadOnlyList<DayEngagement> EngagementData);

    private const int MaxCampaigns = 10_000;

    public static IEndpointRouteBuilder MapCampaignReportsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/marketing/stats", Stats).WithTags("Reports").RequireAuthorization(Policies.Read)
            .WithSummary("Glamlink's MarketingStats: sessions, visitors, attributed sales and orders, conversion rate, AOV, per-channel stats");
        var group = app.MapGroup("/api/marketing/analytics").WithTags("Reports").RequireAuthorization(Policies.Read);
        group.MapGet("/campaigns", Campaigns).WithSummary("Per campaign: visitors, visits, conversions, revenue, cost, ROAS, CPA, with the stored campaign");
        group.MapGet("/roi", Roi).WithSummary("Total cost, revenue, ROI % and the number of campaigns with traffic or cost");
        group.MapGet("/engagement", Engagement).WithSummary("Visits, page views, bounce and engagement rate, duration, events by type, per day");
        group.MapGet("/dashboard", Dashboard).WithSummary("Campaign counts, ROI, engagement rate, top campaigns and daily engagement");
        return app;
    }

    public static async Task<IResult> Stats(Caller caller, QueryRunner runner, ICreditStore credits, ICostStore costs, ICampaignStore campaigns,
        TimeProvider clock, string? startDate, string? endDate, string? attributionModel, CancellationToken cancellationToken)
    {
        // Checked here first, so errors carry Glamlink's parameter names.
        var errors = new ValidationErrors();
        AttributionApi.ParseModel(attributionModel, errors, "attributionModel");
        AttributionApi.ParseRange(caller.Tenant, clock, startDate, endDate, errors, "startDate", "endDate");
        if (!errors.IsEmpty)
        {
            return Invalid(errors);
        }
        var channelResult = await ChannelPerformanceApi.Get(caller, credits, costs, campaigns, clock, attributionModel, startDate, endDate, cancellationToken);
        if (channelResult.Result is not Microsoft.AspNetCore.Http.HttpResults.Ok<ChannelPerformanceApi.ChannelPerformanceResponse> { Value: { } report })
        {
            return channelResult.Result;
        }
        return await GuardAsync(async () =>
        {
            // The same instants the channel report used, so sessions and attributed orders are of one period.
            var range = new QueryDateRange(null, report.Start.ToString("O"), report.End.AddMilliseconds(-1).ToString("O"));
            var query = Ask(range, [Metric.Visits, Metric.Visitors]);
            var row = (await runner.RunAsync(caller.Tenant, query, cancellationToken)).Results[0];
            var marketing = report.Channels.Where(c => c.Channel != Core.Channels.Channels.Direct).ToList();
            var days = (report.End - report.Start).TotalDays;
            return TypedResults.Ok(new MarketingStatsResponse(caller.Tenant.Slug, days <= 1 ? "day" : days <= 7 ? "week" : days <= 31 ? "month" : "year",
                report.Start.ToString("yyyy-MM-dd"), report.Model, report.Currency, Value(query, row, Metric.Visits), Value(query, row, Metric.Visitors),
                marketing.Sum(c => c.Sales), Math.Round(marketing.Sum(c => c.Orders), 4), report.Total.ConversionRate, report.Total.Aov, report.Channels,
                null, null, null, clock.GetUtcNow()));
        });
    }

    public static Task<IResult> Campaigns(Caller caller, QueryRunner runner, ICampaignStore campaigns, string? start_date, string? end_date,
        CancellationToken cancellationToken) => OverDatesAsync(start_date, end_date, async range =>
        {
            var (answer, rows, _) = await CampaignRowsAsync(caller, runner, campaigns, range, cancellationToken);
            return TypedResults.Ok(new CampaignsResponse(answer.Query.DateRange, answer.Meta.Currency, rows));
        });

    public static Task<IResult> Roi(Caller caller, QueryRunner runner, ICampaignStore campaigns, string? start_date, string? end_date,
        CancellationToken cancellationToken) => OverDatesAsync(start_date, end_date, async range =>
        {
            var (answer, rows, _) = await CampaignRowsAsync(caller, runner, campaigns, range, cancellationToken);
            var totalsQuery = Ask(range, [Metric.Cost, Metric.Revenue]);
            var totals = (await runner.RunAsync(caller.Tenant, totalsQuery, cancellationToken)).Results[0];
            var (cost, revenue) = (Decimal(Value(totalsQuery, totals, Metric.Cost)), Decimal(Value(totalsQuery, totals, Metric.Revenue)));
            return TypedResults.Ok(new RoiResponse(answer.Query.DateRange, answer.Meta.Currency, cost, revenue, RoiPercent(revenue, cost),
                rows.Count(HadActivity)));
        });

    public static Task<IResult> Engagement(Caller caller, QueryRunner runner, string? start_date, string? end_date, CancellationToken cancellationToken) =>
        OverDatesAsync(start_date, end_date, async range =>
        {
            var totalsQuery = Ask(range, [Metric.Visitors, Metric.Visits, Metric.Pageviews, Metric.ViewsPerVisit, Metric.BounceRate, Metric.VisitDuration]);
            var typesQuery = Ask(range, [Metric.Events, Metric.Visitors], ["event:type"]);
            var totals = await runner.RunAsync(caller.Tenant, totalsQuery, cancellationToken);
            var types = await runner.RunAsync(caller.Tenant, typesQuery, cancellationToken);
            var row = totals.Results[0];
            object? V(Metric m) => Value(totalsQuery, row, m);
            return TypedResults.Ok(new EngagementResponse(totals.Query.DateRange, V(Metric.Visitors), V(Metric.Visits), V(Metric.Pageviews),
                V(Metric.ViewsPerVisit), V(Metric.BounceRate), EngagementRate(V(Metric.BounceRate), V(Metric.Visits)), V(Metric.VisitDuration),
                types.Results.Select(t => new TypeEngagement(t.Dimensions[0], Value(typesQuery, t, Metric.Events), Value(typesQuery, t, Metric.Visitors))).ToList(),
                await DailyAsync(caller, runner, range, cancellationToken)));
        });

    public static Task<IResult> Dashboard(Caller caller, QueryRunner runner, ICampaignStore campaigns, string? start_date, string? end_date,
        CancellationToken cancellationToken) => OverDatesAsync(start_date, end_date, async range =>
        {
            var (answer, rows, stored) = await CampaignRowsAsync(caller, runner, campaigns, range, cancellationToken);
            var totalsQuery = Ask(range, [Metric.Cost, Metric.Revenue, Metric.BounceRate, Metric.Visits]);
            var totals = (await runner.RunAsync(caller.Tenant, totalsQuery, cancellationToken)).Results[0];
            var (cost, revenue) = (Decimal(Value(totalsQuery, totals, Metric.Cost)), Decimal(Value(totalsQuery, totals, Metric.Revenue)));
            return TypedResults.Ok(new DashboardResponse(answer.Query.DateRange, answer.Meta.Currency, stored.Count,
                stored.Count(c => c.Status == "active"), RoiPercent(revenue, cost),
                EngagementRate(Value(totalsQuery, totals, Metric.BounceRate), Value(totalsQuery, totals, Metric.Visits)),
                rows.Where(HadActivity).Take(10).ToList(), await DailyAsync(caller, runner, range, cancellationToken)));
        });

    /// <summary>
    /// Per campaign tag of the visits (most visits first), each with the stored campaign of that tag when there is one;
    /// stored campaigns without visits or cost in the period follow with zeros.
    /// </summary>
    private static async Task<(QueryResponse Answer, List<CampaignAnalytics> Rows, IReadOnlyList<Campaign> Stored)> CampaignRowsAsync(Caller caller, QueryRunner runner,
        ICampaignStore campaigns, QueryDateRange range, CancellationToken cancellationToken)
    {
        var query = Ask(range, [Metric.Visitors, Metric.Visits, Metric.Conversions, Metric.ConversionRate, Metric.Revenue, Metric.Cost, Metric.Roas,
            Metric.Cpa], ["visit:campaign"]);
        var answer = await runner.RunAsync(caller.Tenant, query, cancellationToken);
        var stored = await campaigns.ListAsync(caller.Tenant.Id, null, MaxCampaigns, 0, cancellationToken);
        Campaign? StoredOf(string? tag) => tag is null ? null : stored.FirstOrDefault(c => string.Equals(c.UtmCampaign, tag, StringComparison.OrdinalIgnoreCase));
        var rows = answer.Results.Select(r =>
        {
            var campaign = StoredOf(r.Dimensions[0]);
            object? V(Metric m) => Value(query, r, m);
            return new CampaignAnalytics(r.Dimensions[0], campaign?.Id, campaign?.CampaignName, campaign?.Status, campaign?.Budget, V(Metric.Visitors),
                V(Metric.Visits), V(Metric.Conversions), V(Metric.ConversionRate), V(Metric.Revenue), V(Metric.Cost), V(Metric.Roas), V(Metric.Cpa));
        }).ToList();
        var shown = rows.Select(r => r.CampaignId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        rows.AddRange(stored.Where(c => !shown.Contains(c.Id)).Select(c =>
            new CampaignAnalytics(c.UtmCampaign, c.Id, c.CampaignName, c.Status, c.Budget, 0L, 0L, 0L, 0.0, 0m, 0m, 0m, 0m)));
        return (answer, rows, stored);
    }

    /// <summary>A tagged campaign with visits or cost in the period.</summary>
    private static bool HadActivity(CampaignAnalytics row) => row.UtmCampaign is not null && (Decimal(row.Visits) > 0 || Decimal(row.Cost) > 0);

    private static async Task<List<DayEngagement>> DailyAsync(Caller caller, QueryRunner runner, QueryDateRange range, CancellationToken cancellationToken)
    {
        var query = Ask(range, [Metric.Visitors, Metric.Visits, Metric.Pageviews, Metric.BounceRate], ["time:day"], timeLabels: true);
        var answer = await runner.RunAsync(caller.Tenant, query, cancellationToken);
        return answer.Results.Select(r => new DayEngagement(r.Dimensions[0]!, Value(query, r, Metric.Visitors), Value(query, r, Metric.Visits),
            Value(query, r, Metric.Pageviews), Value(query, r, Metric.BounceRate))).ToList();
    }

    /// <summary>(revenue − cost) / cost × 100, to two decimals; null without cost.</summary>
    public static double? RoiPercent(decimal revenue, decimal cost) =>
        cost > 0 ? (double)Math.Round((revenue - cost) / cost * 100, 2, MidpointRounding.AwayFromZero) : null;

    /// <summary>The visits that did not bounce, in percent (0 without visits).</summary>
    private static double EngagementRate(object? bounceRate, object? visits) =>
        Decimal(visits) > 0 ? (double)Math.Round(100 - Decimal(bounceRate), 2) : 0;
}
