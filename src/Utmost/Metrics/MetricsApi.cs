using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Events;
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
        var timeline = await TimelineAsync(analytics, tenant, range, cancellationToken);
        var sources = await analytics.TopAsync(tenant, range, Breakdown.UtmSource, TopLimit, cancellationToken);
        var campaigns = await analytics.TopAsync(tenant, range, Breakdown.UtmCampaign, TopLimit, cancellationToken);
        var mediums = await analytics.TopAsync(tenant, range, Breakdown.UtmMedium, TopLimit, cancellationToken);
        return TypedResults.Ok(new MarketingMetrics(
            timeline.Sum(p => p.Events), timeline.Sum(p => p.PageViews), timeline.Sum(p => p.Leads), timeline.Sum(p => p.Conversions),
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
        var bySource = await analytics.ByValueAndTypeAsync(caller.Tenant, range, Breakdown.UtmSource, cancellationToken);
        var byType = await analytics.CountsAsync(caller.Tenant, range, segments: null, cancellationToken);
        var funnels = bySource.GroupBy(r => r.Value).Select(g => Funnel(g.Key, g.Select(r => (r.EventType, r.Count)))).ToList();
        // Events without a source are what the per-source counts leave of the totals (never below zero, should an
        // event arrive between the two reads).
        var unsourced = Funnel(null, byType.Select(c =>
            (c.EventType, Math.Max(0, c.Count - bySource.Where(r => r.EventType == c.EventType).Sum(r => r.Count)))));
        if (unsourced.Events > 0)
        {
            funnels.Add(unsourced);
        }
        var rates = funnels
            .Select(f => new SourceConversionRate(f.Source, f.PageViews, f.Leads, MarketingRates.Percent(f.Leads, f.PageViews)))
            .OrderByDescending(r => r.ConversionRate)
            .ThenByDescending(r => r.PageViews)
            .ThenBy(r => r.UtmSource, StringComparer.Ordinal)
            .ToArray();
        return TypedResults.Ok(rates);
    }

    private sealed record SourceFunnel(string? Source, long Events, long PageViews, long Leads);

    private static SourceFunnel Funnel(string? source, IEnumerable<(string EventType, long Count)> counts)
    {
        long events = 0, pageViews = 0, leads = 0;
        foreach (var (eventType, count) in counts)
        {
            events += count;
            pageViews += eventType == EventTypes.PageView ? count : 0;
            leads += eventType == EventTypes.LeadCreated ? count : 0;
        }
        return new SourceFunnel(source, events, pageViews, leads);
    }

    private static TimeRange ReadRange(Caller caller, string? tenantId, string? startDate, string? endDate, ValidationErrors errors)
    {
        QueryParameters.CheckTenant(tenantId, caller, errors);
        var (from, to) = QueryParameters.DateRange(startDate, endDate, caller.Tenant, errors);
        return new TimeRange(from, to);
    }

    /// <summary>Counts per local day in the tenant's zone, zero-filled over the range (or the span of the data).</summary>
    private static async Task<IReadOnlyList<TimelinePoint>> TimelineAsync(
        IMarketingAnalytics analytics, Tenant tenant, TimeRange range, CancellationToken cancellationToken)
    {
        TimeZones.TryFind(tenant.TimeZone, out var zone);
        var byDay = new Dictionary<long, TimelinePoint>();
        var span = await analytics.SpanAsync(tenant, range, cancellationToken);
        if (span is var (first, last))
        {
            // Offset segments over the span that holds data only: a wide requested range must not widen the SQL.
            var segments = OffsetSegments.For(zone, first, last + 1);
            var goals = tenant.ConversionGoals.ToHashSet(StringComparer.Ordinal);
            byDay = (await analytics.CountsAsync(tenant, range, segments, cancellationToken))
                .GroupBy(c => c.LocalDay)
                .ToDictionary(g => g.Key, g => new TimelinePoint(OffsetSegments.DayFromNumber(g.Key),
                    g.Sum(c => c.Count),
                    g.Where(c => c.EventType == EventTypes.PageView).Sum(c => c.Count),
                    g.Where(c => c.EventType == EventTypes.LeadCreated).Sum(c => c.Count),
                    g.Where(c => goals.Contains(c.EventType)).Sum(c => c.Count)));
        }
        // Zero-fill the requested range (or, without one, the span of the data) so charts show quiet days too.
        if ((range.FromMs ?? span?.FirstMs) is not { } fillFrom || (range.ToMs ?? span?.LastMs) is not { } fillTo)
        {
            return byDay.Values.OrderBy(p => p.Date).ToArray();
        }
        var firstDay = OffsetSegments.LocalDayNumber(fillFrom, OffsetSegments.OffsetAt(zone, fillFrom));
        var lastDay = OffsetSegments.LocalDayNumber(fillTo, OffsetSegments.OffsetAt(zone, fillTo));
        if (lastDay - firstDay >= MaxFilledDays)
        {
            return byDay.Values.OrderBy(p => p.Date).ToArray();
        }
        var timeline = new List<TimelinePoint>((int)(lastDay - firstDay + 1));
        for (var day = firstDay; day <= lastDay; day++)
        {
            timeline.Add(byDay.TryGetValue(day, out var point) ? point : new TimelinePoint(OffsetSegments.DayFromNumber(day), 0, 0, 0, 0));
        }
        return timeline;
    }
}
