namespace Utmost.Core.Metrics;

/// <summary>
/// The rollups every event store keeps next to its events: counts per quarter hour and event type, and per
/// value of the UTM dimensions at quarter-hour and UTC-day grains. Every local midnight of every zone in use
/// today falls on a quarter hour, so metrics over whole local days are sums of rollup rows.
/// </summary>
public static class Rollups
{
    public const int QuarterMinutes = 15;
    public const int DayMinutes = 1440;
    public const long QuarterMs = QuarterMinutes * 60_000L;
    public const long DayMs = DayMinutes * 60_000L;

    /// <summary>The dimensions rolled up, by their event column names.</summary>
    public static IReadOnlyList<string> Dimensions { get; } = ["utm_source", "utm_medium", "utm_campaign"];

    /// <summary>Start of the bucket of width <paramref name="widthMs"/> that holds <paramref name="ms"/> (times are never negative).</summary>
    public static long BucketOf(long ms, long widthMs) => ms / widthMs * widthMs;
}

public readonly record struct RollupCountKey(long TenantKey, long Bucket, string EventType);

public readonly record struct RollupDimensionKey(long TenantKey, int GrainMinutes, long Bucket, string Dimension, string Value, string EventType);

/// <summary>Adds events up into rollup rows (the delta one write contributes).</summary>
public sealed class RollupCounter
{
    public Dictionary<RollupCountKey, long> Counts { get; } = [];

    public Dictionary<RollupDimensionKey, long> DimensionCounts { get; } = [];

    public bool IsEmpty => Counts.Count == 0;

    public void Add(long tenantKey, long createdAtMs, string eventType, string? utmSource, string? utmMedium, string? utmCampaign)
    {
        var quarter = Rollups.BucketOf(createdAtMs, Rollups.QuarterMs);
        var day = Rollups.BucketOf(createdAtMs, Rollups.DayMs);
        Increment(Counts, new RollupCountKey(tenantKey, quarter, eventType));
        AddDimension(tenantKey, quarter, day, "utm_source", utmSource, eventType);
        AddDimension(tenantKey, quarter, day, "utm_medium", utmMedium, eventType);
        AddDimension(tenantKey, quarter, day, "utm_campaign", utmCampaign, eventType);
    }

    public void Clear()
    {
        Counts.Clear();
        DimensionCounts.Clear();
    }

    // Events without a value get no dimension row: "no source" is what is left of the type's count.
    private void AddDimension(long tenantKey, long quarter, long day, string dimension, string? value, string eventType)
    {
        if (value is null)
        {
            return;
        }
        Increment(DimensionCounts, new RollupDimensionKey(tenantKey, Rollups.QuarterMinutes, quarter, dimension, value, eventType));
        Increment(DimensionCounts, new RollupDimensionKey(tenantKey, Rollups.DayMinutes, day, dimension, value, eventType));
    }

    private static void Increment<TKey>(Dictionary<TKey, long> counts, TKey key) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}

/// <summary>
/// How an inclusive time range splits between raw events and rollups. The range [From, To) is covered by raw
/// events in [From, QuarterFrom) and [QuarterTo, To), and by quarter-hour rollups in [QuarterFrom, QuarterTo);
/// within that, whole UTC days [DayFrom, DayTo) may be read from day rollups instead.
/// </summary>
public readonly record struct RollupPlan(long From, long To, long QuarterFrom, long QuarterTo, long DayFrom, long DayTo)
{
    /// <summary>Year 10000: later than any event can be (timestamps are at most an hour ahead of the clock).</summary>
    public const long EndOfTimeMs = 253_402_300_800_000;

    public static RollupPlan For(long? fromMs, long? toMsInclusive)
    {
        var from = Math.Max(0, fromMs ?? 0);
        var to = Math.Max(from, Math.Min(EndOfTimeMs, toMsInclusive is { } t ? t + 1 : EndOfTimeMs));
        var quarterFrom = CeilingTo(from, Rollups.QuarterMs);
        var quarterTo = Rollups.BucketOf(to, Rollups.QuarterMs);
        if (quarterTo <= quarterFrom)
        {
            return new RollupPlan(from, to, from, from, from, from);
        }
        var dayFrom = CeilingTo(quarterFrom, Rollups.DayMs);
        var dayTo = Rollups.BucketOf(quarterTo, Rollups.DayMs);
        return dayTo <= dayFrom
            ? new RollupPlan(from, to, quarterFrom, quarterTo, quarterFrom, quarterFrom)
            : new RollupPlan(from, to, quarterFrom, quarterTo, dayFrom, dayTo);
    }

    /// <summary>The same range read from raw events alone.</summary>
    public RollupPlan RawOnly => this with { QuarterFrom = From, QuarterTo = From, DayFrom = From, DayTo = From };

    /// <summary>
    /// Whether quarter buckets can be put into local days: true when, inside the rolled-up span, the zone's offset
    /// is a whole number of quarter hours and changes only on a quarter hour (every zone in use since 1972).
    /// </summary>
    public bool FitsLocalDays(IReadOnlyList<OffsetSegment> segments)
    {
        for (var i = 0; i < segments.Count; i++)
        {
            // The first and last segments stand for all time before and after them, as the SQL CASE reads them.
            var start = i == 0 ? long.MinValue : segments[i].FromMs;
            var end = i == segments.Count - 1 ? long.MaxValue : segments[i].ToMs;
            if (end <= QuarterFrom || start >= QuarterTo)
            {
                continue;
            }
            if (segments[i].OffsetMs % Rollups.QuarterMs != 0 || start > QuarterFrom && start % Rollups.QuarterMs != 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The spans (start inclusive, end exclusive) read from raw events; empty ones left out.</summary>
    public IEnumerable<(long From, long To)> RawSpans => NonEmpty((From, QuarterFrom), (QuarterTo, To));

    /// <summary>The spans read from quarter-hour dimension rollups when day rollups serve [DayFrom, DayTo).</summary>
    public IEnumerable<(long From, long To)> QuarterSpansAroundDays => NonEmpty((QuarterFrom, DayFrom), (DayTo, QuarterTo));

    private static IEnumerable<(long From, long To)> NonEmpty(params (long From, long To)[] spans) => spans.Where(s => s.To > s.From);

    private static long CeilingTo(long ms, long widthMs) => (ms + widthMs - 1) / widthMs * widthMs;
}
