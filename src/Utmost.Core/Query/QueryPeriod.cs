using System.Globalization;
using Utmost.Core.Common;
using Utmost.Core.Metrics;

namespace Utmost.Core.Query;

/// <summary>
/// A query's time span resolved in the tenant's zone: the instants [<see cref="FromMs"/>, <see cref="ToMs"/>) and
/// the local days they touch. <see cref="WholeDays"/> when it was asked for as dates or a preset (the usual case),
/// so comparisons shift days, not milliseconds, and a daylight-saving change cannot move their edges.
/// </summary>
public sealed record QueryPeriod(long FromMs, long ToMs, DateOnly FirstDay, DateOnly LastDay, bool WholeDays)
{
    public static QueryPeriod OfDays(DateOnly first, DateOnly last, TimeZoneInfo zone) => new(
        TimeZones.StartOfDay(first, zone).ToUnixTimeMilliseconds(), TimeZones.StartOfDay(last.AddDays(1), zone).ToUnixTimeMilliseconds(),
        first, last, WholeDays: true);

    public static QueryPeriod OfInstants(long fromMs, long toMs, TimeZoneInfo zone) =>
        new(fromMs, toMs, TimeZones.LocalDate(DateTimeOffset.FromUnixTimeMilliseconds(fromMs), zone),
        TimeZones.LocalDate(DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(fromMs, toMs - 1)), zone), WholeDays: false);

    /// <summary>
    /// The period a query's date range names. A preset counts back from <paramref name="today"/>; <c>all</c> starts on
    /// <paramref name="firstDataDay"/> (the tenant's first event), or today without data. Dates are whole local days;
    /// date-times are instants, the end included.
    /// </summary>
    public static QueryPeriod Resolve(QueryDateRange range, TimeZoneInfo zone, DateOnly today, DateOnly? firstDataDay)
    {
        if (range.Preset is { } preset)
        {
            var (first, last) = DateRangePresets.Resolve(preset, today)
                ?? throw new ArgumentException($"Unknown preset '{preset}'", nameof(range));
            if (preset == DateRangePresets.All)
            {
                first = firstDataDay is { } day && day < today ? day : today;
            }
            return OfDays(first, last, zone);
        }
        if (DateInput.TryParseDate(range.Start!, out var startDay) && DateInput.TryParseDate(range.End!, out var endDay))
        {
            return OfDays(startDay, endDay, zone);
        }
        if (!DateInput.TryParseBound(range.Start!, zone, isEnd: false, out var from) || !DateInput.TryParseBound(range.End!, zone, isEnd: true, out var to))
        {
            throw new ArgumentException("The date range was not validated", nameof(range));
        }
        return OfInstants(from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds() + 1, zone);
    }

    public int Days => LastDay.DayNumber - FirstDay.DayNumber + 1;

    /// <summary>The period of the same length just before this one.</summary>
    public QueryPeriod PreviousPeriod(TimeZoneInfo zone) => WholeDays
        ? OfDays(FirstDay.AddDays(-Days), FirstDay.AddDays(-1), zone)
        : OfInstants(FromMs - (ToMs - FromMs), FromMs, zone);

    /// <summary>The same days a year before (29 February becomes the 28th).</summary>
    public QueryPeriod YearBefore(TimeZoneInfo zone) => WholeDays
        ? OfDays(FirstDay.AddYears(-1), LastDay.AddYears(-1), zone)
        : OfInstants(DateTimeOffset.FromUnixTimeMilliseconds(FromMs).AddYears(-1).ToUnixTimeMilliseconds(),
            DateTimeOffset.FromUnixTimeMilliseconds(ToMs).AddYears(-1).ToUnixTimeMilliseconds(), zone);

    public QueryPeriod? ComparedWith(Comparison comparison, TimeZoneInfo zone) => comparison switch
    {
        Comparison.PreviousPeriod => PreviousPeriod(zone),
        Comparison.YearOverYear => YearBefore(zone),
        _ => null,
    };

    /// <summary>The period as the response echoes it: dates when whole days, else ISO instants.</summary>
    public string[] ToJson(TimeZoneInfo zone) => WholeDays
        ? [FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]
        : [Instant(FromMs, zone), Instant(ToMs - 1, zone)];

    private static string Instant(long ms, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ms), zone).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}

public enum TimeGrain
{
    Hour,
    Day,
    Week,
    Month,
}

/// <summary>
/// Time buckets in the tenant's zone, each named by a whole number the databases compute with plain arithmetic from
/// an event's local milliseconds (UTC plus the zone's offset then; see <see cref="OffsetSegments"/>): the local hour
/// or day since 1970, the day number of the week's Monday (ISO weeks), or yyyymm.
/// </summary>
public static class TimeBuckets
{
    public const long MsPerHour = 3_600_000;

    /// <summary>The grain of a time dimension; plain <c>time</c> picks one by the length of the period, as Plausible does.</summary>
    public static TimeGrain GrainOf(DimensionKind kind, QueryPeriod period) => kind switch
    {
        DimensionKind.TimeHour => TimeGrain.Hour,
        DimensionKind.TimeDay => TimeGrain.Day,
        DimensionKind.TimeWeek => TimeGrain.Week,
        DimensionKind.TimeMonth => TimeGrain.Month,
        DimensionKind.Time => period.Days <= 1 ? TimeGrain.Hour : period.Days <= 90 ? TimeGrain.Day : TimeGrain.Month,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The bucket of a day number (days since 1970-01-01, local).</summary>
    public static long OfDay(TimeGrain grain, long dayNumber) => grain switch
    {
        TimeGrain.Day => dayNumber,
        // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
        TimeGrain.Week => dayNumber - (dayNumber + 3) % 7,
        TimeGrain.Month => OffsetSegments.DayFromNumber(dayNumber) is var d ? d.Year * 100L + d.Month : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(grain)),
    };

    /// <summary>Every bucket the period touches, in order: what zero-filled results and time labels list.</summary>
    public static IReadOnlyList<long> All(TimeGrain grain, QueryPeriod period, TimeZoneInfo zone)
    {
        var keys = new List<long>();
        void Add(long key)
        {
            if (keys.Count == 0 || keys[^1] != key)
            {
                keys.Add(key);
            }
        }
        if (grain == TimeGrain.Hour)
        {
            // Every UTC hour start in the period (zones' offsets are whole quarter hours, so a local hour starts within each).
            for (var t = period.FromMs; t < period.ToMs; t += MsPerHour / 4)
            {
                Add((t + OffsetSegments.OffsetAt(zone, t)) / MsPerHour);
            }
            return keys;
        }
        for (var day = period.FirstDay; day <= period.LastDay; day = day.AddDays(1))
        {
            Add(OfDay(grain, OffsetSegments.NumberOfDay(day)));
        }
        return keys;
    }

    /// <summary>A bucket as the response shows it: <c>2025-03-01 14:00:00</c> for hours, the first day otherwise.</summary>
    public static string Label(TimeGrain grain, long key) => grain switch
    {
        TimeGrain.Hour => DateTime.UnixEpoch.AddHours(key).ToString("yyyy-MM-dd HH:00:00", CultureInfo.InvariantCulture),
        TimeGrain.Month => new DateOnly((int)(key / 100), (int)(key % 100), 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => OffsetSegments.DayFromNumber(key).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };
}
