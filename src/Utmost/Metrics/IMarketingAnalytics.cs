using Utmost.Core.Metrics;
using Utmost.Tenancy;

namespace Utmost.Metrics;

/// <summary>An inclusive time range in UTC epoch milliseconds; a missing bound is open.</summary>
public readonly record struct TimeRange(long? FromMs, long? ToMs);

public sealed record EventTotals(long Events, long PageViews, long Leads, long Conversions, long? FirstMs, long? LastMs);

public sealed record DayCounts(long LocalDay, long Events, long PageViews, long Leads, long Conversions);

public sealed record ValueCount(string Value, long Count);

public sealed record SourceFunnel(string? UtmSource, long PageViews, long Leads);

/// <summary>A column the top-N breakdown may group by: a fixed list, so no caller text ever becomes SQL.</summary>
public enum Breakdown
{
    UtmSource,
    UtmCampaign,
    UtmMedium,
}

public static class BreakdownColumns
{
    /// <summary>The event column a breakdown groups by; the same name on every engine.</summary>
    public static string Column(this Breakdown by) => by switch
    {
        Breakdown.UtmSource => "utm_source",
        Breakdown.UtmCampaign => "utm_campaign",
        Breakdown.UtmMedium => "utm_medium",
        _ => throw new ArgumentOutOfRangeException(nameof(by)),
    };
}

/// <summary>
/// The aggregate queries behind the AEON metrics. Each engine implements them in its own SQL; the answers
/// are the same on every engine (counts exclude soft-deleted events).
/// </summary>
public interface IMarketingAnalytics
{
    Task<EventTotals> TotalsAsync(Tenant tenant, TimeRange range, IReadOnlyList<string> goals, CancellationToken cancellationToken);

    Task<IReadOnlyList<ValueCount>> TopAsync(Tenant tenant, TimeRange range, Breakdown by, int limit, CancellationToken cancellationToken);

    /// <summary>Counts per local day; <paramref name="segments"/> give the zone's offset over the range.</summary>
    Task<IReadOnlyList<DayCounts>> DailyAsync(Tenant tenant, TimeRange range, IReadOnlyList<OffsetSegment> segments,
        IReadOnlyList<string> goals, CancellationToken cancellationToken);

    Task<IReadOnlyList<SourceFunnel>> BySourceAsync(Tenant tenant, TimeRange range, CancellationToken cancellationToken);

    Task<long> CountAsync(Tenant tenant, string eventType, string utmCampaign, CancellationToken cancellationToken);
}
