using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Metrics;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Metrics;

/// <summary>The AEON marketing metrics and the seed's conversion-rate-by-source query.</summary>
public static class MetricsApi
{
    private const int TopLimit = 10;

    /// <summary>The longest timeline that is zero-filled; longer ranges list only days with events.</summary>
    private const int MaxFilledDays = 3660;

    public sealed record SourceCount(string Source, long Count);

    public sealed record CampaignCount(string Campaign, long Count);

    public sealed record MediumCount(string Medium, long Count);

    public sealed record TimelinePoint(DateOnly Date, long Events, long PageViews, long Leads, long Conversions);

    public sealed record MarketingMetrics(
        long TotalEvents, long TotalPageViews, long TotalLeads, long TotalConversions,
        IReadOnlyList<SourceCount> TopSources, IReadOnlyList<CampaignCount> TopCampaigns, IReadOnlyList<MediumCount> TopMediums,
        IReadOnlyList<TimelinePoint> TimelineData);

    public sealed record SourceConversionRate(string? UtmSource, long PageViews, long Leads, double ConversionRate);

    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/marketing/metrics").WithTags("Metrics").RequireAuthorization(Policies.Read);
        group.MapGet("/", GetMetrics).WithSummary("Totals, top sources/campaigns/mediums and a daily timeline in the tenant's time zone");
        group.MapGet("/conversion-rates", GetConversionRates).WithSummary("Page views, leads and lead conversion rate per utm_source");
        return app;
    }

    public static async Task<Results<Ok<MarketingMetrics>, ValidationProblem>> GetMetrics(
        Caller caller, IMarketingAnalytics analytics, string? tenant_id, string? start_date, string? end_date,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var range = ReadRange(caller, tenant_id, start_date, end_date, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var tenant = caller.Tenant;
        var totals = await analytics.TotalsAsync(tenant, range, tenant.ConversionGoals, cancellationToken);
        var sources = await analytics.TopAsync(tenant, range, Breakdown.UtmSource, TopLimit, cancellationToken);
        var campaigns = await analytics.TopAsync(tenant, range, Breakdown.UtmCampaign, TopLimit, cancellationToken);
        var mediums = await analytics.TopAsync(tenant, range, Breakdown.UtmMedium, TopLimit, cancellationToken);
        var timeline = await TimelineAsync(analytics, tenant, range, totals, cancellationToken);
        return TypedResults.Ok(new MarketingMetrics(
            totals.Events, totals.PageViews, totals.Leads, totals.Conversions,
            sources.Select(s => new SourceCount(s.Value, s.Count)).ToArray(),
            campaigns.Select(c => new CampaignCount(c.Value, c.Count)).ToArray(),
            mediums.Select(m => new MediumCount(m.Value, m.Count)).ToArray(),
            timeline));
    }

    public static async Task<Results<Ok<SourceConversionRate[]>, ValidationProblem>> GetConversionRates(
        Caller caller, IMarketingAnalytics analytics, string? tenant_id, string? start_date, string? end_date,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var range = ReadRange(caller, tenant_id, start_date, end_date, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var rows = await analytics.BySourceAsync(caller.Tenant, range, cancellationToken);
        var rates = rows
            .Select(r => new SourceConversionRate(r.UtmSource, r.PageViews, r.Leads, MarketingRates.Percent(r.Leads, r.PageViews)))
            .OrderByDescending(r => r.ConversionRate)
            .ThenByDescending(r => r.PageViews)
            .ThenBy(r => r.UtmSource, StringComparer.Ordinal)
            .ToArray();
        return TypedResults.Ok(rates);
    }

    private static TimeRange ReadRange(Caller caller, string? tenantId, string? startDate, string? endDate, ValidationErrors errors)
    {
        QueryParameters.CheckTenant(tenantId, caller, errors);
        var (from, to) = QueryParameters.DateRange(startDate, endDate, caller.Tenant, errors);
        return new TimeRange(from, to);
    }

    private static async Task<IReadOnlyList<TimelinePoint>> TimelineAsync(
        IMarketingAnalytics analytics, Tenant tenant, TimeRange range, EventTotals totals, CancellationToken cancellationToken)
    {
        TimeZones.TryFind(tenant.TimeZone, out var zone);
        var days = new List<DayCounts>();
        if (totals.FirstMs is { } first && totals.LastMs is { } last)
        {
            // Offset segments over the span that holds data only: a wide requested range must not widen the SQL.
            var segments = OffsetSegments.For(zone, first, last + 1);
            days.AddRange(await analytics.DailyAsync(tenant, range, segments, tenant.ConversionGoals, cancellationToken));
        }
        // Zero-fill the requested range (or, without one, the span of the data) so charts show quiet days too.
        var fillFrom = range.FromMs ?? totals.FirstMs;
        var fillTo = range.ToMs ?? totals.LastMs;
        if (fillFrom is null || fillTo is null)
        {
            return days.Select(Point).ToArray();
        }
        var firstDay = OffsetSegments.LocalDayNumber(fillFrom.Value, OffsetSegments.OffsetAt(zone, fillFrom.Value));
        var lastDay = OffsetSegments.LocalDayNumber(fillTo.Value, OffsetSegments.OffsetAt(zone, fillTo.Value));
        if (lastDay - firstDay >= MaxFilledDays)
        {
            return days.Select(Point).ToArray();
        }
        var byDay = days.ToDictionary(d => d.LocalDay);
        var timeline = new List<TimelinePoint>((int)(lastDay - firstDay + 1));
        for (var day = firstDay; day <= lastDay; day++)
        {
            timeline.Add(byDay.TryGetValue(day, out var counts) ? Point(counts) : new TimelinePoint(OffsetSegments.DayFromNumber(day), 0, 0, 0, 0));
        }
        return timeline;
    }

    private static TimelinePoint Point(DayCounts d) =>
        new(OffsetSegments.DayFromNumber(d.LocalDay), d.Events, d.PageViews, d.Leads, d.Conversions);
}
