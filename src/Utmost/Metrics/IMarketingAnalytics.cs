using Utmost.Core.Metrics;
using Utmost.Tenancy;

namespace Utmost.Metrics;

/// <summary>An inclusive time range in UTC epoch milliseconds; a missing bound is open.</summary>
public readonly record struct TimeRange(long? FromMs, long? ToMs);

/// <summary>Events of one type (on one local day, when counted per day).</summary>
public sealed record TypeCount(long LocalDay, string EventType, long Count);

public sealed record ValueCount(string Value, long Count);

public sealed record ValueTypeCount(string Value, string EventType, long Count);

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
/// The aggregate queries behind the AEON metrics. Each engine runs them in its own SQL over its rollups and
/// events; the answers are the same on every engine, and never count soft-deleted events.
/// </summary>
public interface IMarketingAnalytics
{
    /// <summary>The times of the first and last event in the range, or null when it holds none.</summary>
    Task<(long FirstMs, long LastMs)?> SpanAsync(Tenant tenant, TimeRange range, CancellationToken cancellationToken);

    /// <summary>
    /// Counts per event type, and per local day when <paramref name="segments"/> (the zone's offsets over the range)
    /// are given; otherwise <see cref="TypeCount.LocalDay"/> is 0.
    /// </summary>
    Task<IReadOnlyList<TypeCount>> CountsAsync(Tenant tenant, TimeRange range, IReadOnlyList<OffsetSegment>? segments,
        CancellationToken cancellationToken);

    /// <summary>The most frequent values of a dimension, ties by value; events without a value are left out.</summary>
    Task<IReadOnlyList<ValueCount>> TopAsync(Tenant tenant, TimeRange range, Breakdown by, int limit, CancellationToken cancellationToken);

    /// <summary>Counts per value of a dimension and event type; events without a value are left out.</summary>
    Task<IReadOnlyList<ValueTypeCount>> ByValueAndTypeAsync(Tenant tenant, TimeRange range, Breakdown by, CancellationToken cancellationToken);

    /// <summary>All-time count of one event type within one campaign.</summary>
    Task<long> CountAsync(Tenant tenant, string eventType, string utmCampaign, CancellationToken cancellationToken);
}
