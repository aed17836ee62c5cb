using Utmost.Core.Metrics;

namespace Utmost.Tests.Core;

public sealed class OffsetSegmentsTests
{
    private const long Hour = 3_600_000;

    private static long Ms(int year, int month, int day, int hour = 0, int minute = 0) =>
        new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    /// <summary>The zone's offset at an instant, found through the framework's own conversion.</summary>
    private static long ExpectedOffsetMs(TimeZoneInfo zone, long utcMs) =>
        (long)TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(utcMs), zone).Offset.TotalMilliseconds;

    private static void AssertContiguous(IReadOnlyList<OffsetSegment> segments, long fromMs, long toMs)
    {
        Assert.Equal(fromMs, segments[0].FromMs);
        Assert.Equal(toMs, segments[^1].ToMs);
        for (var i = 1; i < segments.Count; i++)
        {
            Assert.Equal(segments[i - 1].ToMs, segments[i].FromMs);
            Assert.NotEqual(segments[i - 1].OffsetMs, segments[i].OffsetMs);
        }
        Assert.All(segments, s => Assert.True(s.FromMs < s.ToMs));
    }

    [Fact]
    public void Utc_is_one_segment_with_offset_zero()
    {
        var from = Ms(2025, 1, 1);
        var to = Ms(2026, 1, 1);

        var segment = Assert.Single(OffsetSegments.For(TimeZoneInfo.Utc, from, to));

        Assert.Equal(new OffsetSegment(from, to, 0), segment);
    }

    [Fact]
    public void Berlin_over_a_year_splits_exactly_at_both_dst_changes()
    {
        var zone = Zone("Europe/Berlin");
        var from = Ms(2025, 1, 1);
        var to = Ms(2025, 12, 31, 23);
        // EU rule: clocks change at 01:00 UTC on the last Sunday of March and of October.
        var spring = Ms(2025, 3, 30, 1);
        var autumn = Ms(2025, 10, 26, 1);

        var segments = OffsetSegments.For(zone, from, to);

        Assert.Equal(
            [new OffsetSegment(from, spring, 3_600_000), new OffsetSegment(spring, autumn, 7_200_000), new OffsetSegment(autumn, to, 3_600_000)],
            segments);
        // Cross-check the hand-derived instants with the framework: the offset flips exactly there.
        Assert.Equal(Hour, ExpectedOffsetMs(zone, spring - 1));
        Assert.Equal(2 * Hour, ExpectedOffsetMs(zone, spring));
        Assert.Equal(2 * Hour, ExpectedOffsetMs(zone, autumn - 1));
        Assert.Equal(Hour, ExpectedOffsetMs(zone, autumn));
    }

    [Fact]
    public void Every_instant_of_a_segment_has_the_segment_offset()
    {
        var zone = Zone("America/New_York");
        var from = Ms(2024, 11, 1) + 12_345;
        var to = Ms(2025, 11, 15) + 678;

        var segments = OffsetSegments.For(zone, from, to);

        // US rule: 2024-11-03 06:00Z, 2025-03-09 07:00Z, 2025-11-02 06:00Z.
        Assert.Equal([from, Ms(2024, 11, 3, 6), Ms(2025, 3, 9, 7), Ms(2025, 11, 2, 6)], segments.Select(s => s.FromMs));
        AssertContiguous(segments, from, to);
        foreach (var s in segments)
        {
            Assert.Equal(ExpectedOffsetMs(zone, s.FromMs), s.OffsetMs);
            Assert.Equal(ExpectedOffsetMs(zone, s.ToMs - 1), s.OffsetMs);
            Assert.Equal(ExpectedOffsetMs(zone, s.FromMs + (s.ToMs - s.FromMs) / 2), s.OffsetMs);
        }
    }

    [Fact]
    public void A_range_ending_exactly_at_a_change_is_one_segment()
    {
        var spring = Ms(2025, 3, 30, 1);

        var segment = Assert.Single(OffsetSegments.For(Zone("Europe/Berlin"), Ms(2025, 3, 29), spring));

        Assert.Equal(Hour, segment.OffsetMs);
    }

    [Fact]
    public void A_range_starting_exactly_at_a_change_is_one_segment_with_the_new_offset()
    {
        var spring = Ms(2025, 3, 30, 1);

        var segment = Assert.Single(OffsetSegments.For(Zone("Europe/Berlin"), spring, Ms(2025, 4, 2)));

        Assert.Equal(new OffsetSegment(spring, Ms(2025, 4, 2), 2 * Hour), segment);
    }

    [Fact]
    public void A_change_one_millisecond_before_the_end_still_splits()
    {
        var spring = Ms(2025, 3, 30, 1);

        var segments = OffsetSegments.For(Zone("Europe/Berlin"), Ms(2025, 3, 20), spring + 1);

        Assert.Equal([new OffsetSegment(Ms(2025, 3, 20), spring, Hour), new OffsetSegment(spring, spring + 1, 2 * Hour)], segments);
    }

    [Fact]
    public void An_empty_or_inverted_range_still_gives_one_segment()
    {
        var at = Ms(2025, 7, 1);

        Assert.Equal([new OffsetSegment(at, at + 1, 2 * Hour)], OffsetSegments.For(Zone("Europe/Berlin"), at, at));
        Assert.Equal([new OffsetSegment(at, at + 1, 2 * Hour)], OffsetSegments.For(Zone("Europe/Berlin"), at, at - Hour));
    }

    [Theory]
    [InlineData("Asia/Kolkata", 19_800_000)]
    [InlineData("Asia/Kathmandu", 20_700_000)]
    [InlineData("Asia/Tokyo", 32_400_000)]
    [InlineData("America/St_Johns", -12_600_000)]
    public void Fixed_fractional_hour_offsets_are_one_segment(string zoneId, long expectedOffsetMs)
    {
        // St. John's in January: UTC-3:30 standard time.
        var from = Ms(2025, 1, 1);
        var to = Ms(2025, 2, 1);

        var segment = Assert.Single(OffsetSegments.For(Zone(zoneId), from, to));

        Assert.Equal(new OffsetSegment(from, to, expectedOffsetMs), segment);
    }

    [Fact]
    public void Kathmandu_moved_from_plus_0530_to_plus_0545_at_local_midnight_1986()
    {
        var zone = Zone("Asia/Kathmandu");
        // 1986-01-01 00:00 at +05:30 is 1985-12-31 18:30 UTC.
        var change = Ms(1985, 12, 31, 18, 30);
        var from = Ms(1985, 12, 20);
        var to = Ms(1986, 1, 10);

        var segments = OffsetSegments.For(zone, from, to);

        Assert.Equal([new OffsetSegment(from, change, 19_800_000), new OffsetSegment(change, to, 20_700_000)], segments);
        Assert.Equal(19_800_000, ExpectedOffsetMs(zone, change - 1));
    }

    [Fact]
    public void Lord_Howe_changes_by_half_an_hour()
    {
        var zone = Zone("Australia/Lord_Howe");
        // DST ends on the first Sunday of April at 02:00 local (+11:00) = Saturday 15:00 UTC, back to +10:30.
        var change = Ms(2025, 4, 5, 15);

        var segments = OffsetSegments.For(zone, Ms(2025, 3, 1), Ms(2025, 5, 1));

        Assert.Equal(
            [new OffsetSegment(Ms(2025, 3, 1), change, 39_600_000), new OffsetSegment(change, Ms(2025, 5, 1), 37_800_000)],
            segments);
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Asia/Kathmandu")]
    [InlineData("America/Los_Angeles")]
    [InlineData("Pacific/Chatham")]
    [InlineData("Australia/Lord_Howe")]
    public void Segments_agree_with_the_framework_at_every_hour(string zoneId)
    {
        var zone = Zone(zoneId);
        var from = Ms(2024, 12, 25, 7, 13);
        var to = Ms(2026, 1, 3, 2, 41);

        var segments = OffsetSegments.For(zone, from, to);

        AssertContiguous(segments, from, to);
        var index = 0;
        for (var t = from; t < to; t += Hour)
        {
            while (segments[index].ToMs <= t)
            {
                index++;
            }
            Assert.Equal(ExpectedOffsetMs(zone, t), segments[index].OffsetMs);
        }
    }

    [Theory]
    [InlineData(1970, 1, 1, 0L)]
    [InlineData(1970, 1, 2, 1L)]
    [InlineData(2000, 1, 1, 10_957L)]
    [InlineData(2025, 3, 30, 20_177L)]
    public void Day_numbers_count_days_since_the_epoch(int year, int month, int day, long expected)
    {
        var utcMidnight = Ms(year, month, day);

        Assert.Equal(expected, OffsetSegments.LocalDayNumber(utcMidnight, 0));
        Assert.Equal(new DateOnly(year, month, day), OffsetSegments.DayFromNumber(expected));
    }

    [Theory]
    [InlineData("Europe/Berlin", 2025, 3, 30, 0, 30)]
    [InlineData("Europe/Berlin", 2025, 3, 29, 23, 30)]
    [InlineData("Europe/Berlin", 2025, 10, 25, 22, 30)]
    [InlineData("Europe/Berlin", 2025, 10, 25, 21, 59)]
    [InlineData("Asia/Kolkata", 2025, 6, 30, 18, 29)]
    [InlineData("Asia/Kolkata", 2025, 6, 30, 18, 30)]
    [InlineData("Asia/Kathmandu", 2025, 6, 30, 18, 14)]
    [InlineData("Asia/Kathmandu", 2025, 6, 30, 18, 15)]
    [InlineData("America/Los_Angeles", 2025, 7, 1, 6, 59)]
    [InlineData("America/Los_Angeles", 2025, 7, 1, 7, 0)]
    public void Local_day_number_round_trips_to_the_local_calendar_date(string zoneId, int year, int month, int day, int hour, int minute)
    {
        var zone = Zone(zoneId);
        var utc = Ms(year, month, day, hour, minute);
        var expectedDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(utc), zone).DateTime);
        var offset = Assert.Single(OffsetSegments.For(zone, utc, utc + 1)).OffsetMs;

        var dayNumber = OffsetSegments.LocalDayNumber(utc, offset);

        Assert.Equal(expectedDate, OffsetSegments.DayFromNumber(dayNumber));
        Assert.Equal(expectedDate.DayNumber - new DateOnly(1970, 1, 1).DayNumber, dayNumber);
    }

    [Fact]
    public void Kolkata_half_hour_offset_moves_the_day_boundary_to_18_30_utc()
    {
        var zone = Zone("Asia/Kolkata");
        var before = Ms(2025, 6, 30, 18, 29);
        var after = Ms(2025, 6, 30, 18, 30);

        var dayBefore = OffsetSegments.DayFromNumber(OffsetSegments.LocalDayNumber(before, OffsetSegments.OffsetAt(zone, before)));
        var dayAfter = OffsetSegments.DayFromNumber(OffsetSegments.LocalDayNumber(after, OffsetSegments.OffsetAt(zone, after)));

        Assert.Equal(new DateOnly(2025, 6, 30), dayBefore);
        Assert.Equal(new DateOnly(2025, 7, 1), dayAfter);
    }
}
