using Utmost.Core.Common;

namespace Utmost.Core.Metrics;

/// <summary>A span of time [<see cref="FromMs"/>, <see cref="ToMs"/>) during which a zone's UTC offset is constant.</summary>
public readonly record struct OffsetSegment(long FromMs, long ToMs, long OffsetMs);

/// <summary>
/// Splits a time range at a zone's offset changes, so a database that knows nothing of time zones can bucket
/// events into local days with plain arithmetic: local day = (utc_ms + offset_ms) / 86,400,000.
/// </summary>
public static class OffsetSegments
{
    public const long MsPerDay = 86_400_000;

    public static IReadOnlyList<OffsetSegment> For(TimeZoneInfo zone, long fromMs, long toMs)
    {
        toMs = Math.Max(toMs, fromMs + 1);
        var segments = new List<OffsetSegment>();
        var start = fromMs;
        var offset = OffsetAt(zone, start);
        var probe = start;
        while (probe < toMs)
        {
            // Stepping a day at a time is enough: no zone changes its offset twice within one day.
            var next = Math.Min(probe + MsPerDay, toMs);
            if (OffsetAt(zone, next - 1) != offset)
            {
                var change = FirstChange(zone, probe, next - 1, offset);
                if (change > start)
                {
                    segments.Add(new OffsetSegment(start, change, offset));
                }
                start = change;
                offset = OffsetAt(zone, change);
                probe = change;
                continue;
            }
            probe = next;
        }
        segments.Add(new OffsetSegment(start, toMs, offset));
        return segments;
    }

    public static long OffsetAt(TimeZoneInfo zone, long utcMs) =>
        (long)zone.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(utcMs)).TotalMilliseconds;

    /// <summary>A local date as its day number (days since 1970-01-01): what day buckets and the visit rollup key on.</summary>
    public static long NumberOfDay(DateOnly day) => day.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>The number of the local day in <paramref name="zone"/> of an instant (epoch milliseconds).</summary>
    public static long NumberOfDay(long ms, TimeZoneInfo zone) => NumberOfDay(TimeZones.LocalDate(DateTimeOffset.FromUnixTimeMilliseconds(ms), zone));

    public static DateOnly DayFromNumber(long localDayNumber) =>
        DateOnly.FromDayNumber((int)(localDayNumber + DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber));

    public static long LocalDayNumber(long utcMs, long offsetMs) => (utcMs + offsetMs) / MsPerDay;

    // Offsets change on whole UTC minutes: binary search the first minute in [low, high] whose offset differs.
    private static long FirstChange(TimeZoneInfo zone, long low, long high, long offset)
    {
        const long minute = 60_000;
        var lo = (low + minute - 1) / minute;
        var hi = high / minute;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (OffsetAt(zone, mid * minute) == offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo * minute;
    }
}
