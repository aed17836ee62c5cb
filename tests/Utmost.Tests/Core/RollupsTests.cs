using Utmost.Core.Metrics;

namespace Utmost.Tests.Core;

public sealed class RollupsTests
{
    private const long Minute = 60_000;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;

    [Fact]
    public void A_range_of_whole_utc_days_is_read_from_day_rollups_only()
    {
        var plan = RollupPlan.For(10 * Day, 40 * Day - 1);

        Assert.Equal((10 * Day, 40 * Day), (plan.DayFrom, plan.DayTo));
        Assert.Equal((10 * Day, 40 * Day), (plan.QuarterFrom, plan.QuarterTo));
        Assert.Empty(plan.RawSpans);
        Assert.Empty(plan.QuarterSpansAroundDays);
    }

    [Fact]
    public void Local_days_off_the_utc_day_take_quarter_hours_at_both_ends()
    {
        // Kathmandu (UTC+5:45): local midnight is 18:15 UTC the day before.
        var from = 10 * Day - 5 * Hour - 45 * Minute;
        var plan = RollupPlan.For(from, from + 30 * Day - 1);

        Assert.Empty(plan.RawSpans);
        Assert.Equal((10 * Day, 39 * Day), (plan.DayFrom, plan.DayTo));
        Assert.Equal([(from, 10 * Day), (39 * Day, from + 30 * Day)], plan.QuarterSpansAroundDays);
    }

    [Fact]
    public void Ends_that_cut_through_quarter_hours_are_read_from_events()
    {
        var from = 10 * Day + 7 * Minute + 13_250;
        var to = 12 * Day + 4 * Hour + 52 * Minute + 1_999;

        var plan = RollupPlan.For(from, to);

        Assert.Equal([(from, 10 * Day + 15 * Minute), (12 * Day + 4 * Hour + 45 * Minute, to + 1)], plan.RawSpans);
        Assert.Equal((11 * Day, 12 * Day), (plan.DayFrom, plan.DayTo));
        Assert.Equal([(10 * Day + 15 * Minute, 11 * Day), (12 * Day, 12 * Day + 4 * Hour + 45 * Minute)], plan.QuarterSpansAroundDays);
    }

    [Fact]
    public void A_range_inside_one_quarter_hour_is_read_from_events_alone()
    {
        var plan = RollupPlan.For(5 * Minute, 9 * Minute);

        Assert.Equal([(5 * Minute, 9 * Minute + 1)], plan.RawSpans);
        Assert.Empty(plan.QuarterSpansAroundDays);
        Assert.Equal(plan.QuarterFrom, plan.QuarterTo);
    }

    [Fact]
    public void An_open_range_covers_all_time_from_rollups()
    {
        var plan = RollupPlan.For(null, null);

        Assert.Equal((0, RollupPlan.EndOfTimeMs), (plan.From, plan.To));
        Assert.Equal((0, RollupPlan.EndOfTimeMs), (plan.DayFrom, plan.DayTo));
        Assert.Empty(plan.RawSpans);
    }

    [Fact]
    public void The_spans_of_every_plan_cover_the_range_exactly_once()
    {
        var random = new Random(3);
        for (var i = 0; i < 2_000; i++)
        {
            var from = random.NextInt64(0, 40 * Day);
            var to = from + random.NextInt64(0, i % 2 == 0 ? Hour : 40 * Day);
            var plan = RollupPlan.For(from, to);
            var spans = plan.RawSpans.Concat(plan.QuarterSpansAroundDays).Append((plan.DayFrom, plan.DayTo)).Where(s => s.Item2 > s.Item1)
                .OrderBy(s => s.Item1).ToList();
            Assert.Equal(from, spans[0].Item1);
            Assert.Equal(to + 1, spans[^1].Item2);
            for (var s = 1; s < spans.Count; s++)
            {
                Assert.Equal(spans[s - 1].Item2, spans[s].Item1);
            }
            Assert.All(plan.QuarterSpansAroundDays, s => Assert.True(s.From % Rollups.QuarterMs == 0 && s.To % Rollups.QuarterMs == 0));
            Assert.True(plan.DayFrom % Day == 0 || plan.DayFrom == plan.DayTo);
        }
    }

    [Theory]
    [InlineData("Asia/Kathmandu", 2025, true)]
    [InlineData("America/New_York", 2025, true)]
    [InlineData("Australia/Lord_Howe", 2025, true)]
    [InlineData("Pacific/Kiritimati", 1975, false)]
    public void Quarter_hours_fit_local_days_unless_the_zone_is_off_the_quarter_hour(string zoneId, int year, bool fits)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var from = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var to = from + 365 * Day;
        var plan = RollupPlan.For(from, to);

        Assert.Equal(fits, plan.FitsLocalDays(OffsetSegments.For(zone, from, to)));
    }

    [Fact]
    public void An_offset_change_off_the_quarter_hour_inside_the_range_does_not_fit()
    {
        var plan = RollupPlan.For(0, 10 * Day);
        OffsetSegment[] segments = [new(0, 5 * Day + 7 * Minute, 0), new(5 * Day + 7 * Minute, 10 * Day, Hour)];

        Assert.False(plan.FitsLocalDays(segments));
        Assert.True(RollupPlan.For(6 * Day, 10 * Day).FitsLocalDays(segments));
    }

    [Fact]
    public void The_counter_adds_events_into_quarter_hour_and_day_buckets_and_skips_missing_values()
    {
        var counter = new RollupCounter();
        counter.Add(1, Day + 14 * Minute, "page_view", "google", null, "spring");
        counter.Add(1, Day + 1 * Minute, "page_view", "google", "cpc", null);
        counter.Add(1, Day + 16 * Minute, "lead_created", null, null, null);
        counter.Add(2, Day, "page_view", "google", null, null);

        Assert.Equal(2, counter.Counts[new RollupCountKey(1, Day, "page_view")]);
        Assert.Equal(1, counter.Counts[new RollupCountKey(1, Day + 15 * Minute, "lead_created")]);
        Assert.Equal(1, counter.Counts[new RollupCountKey(2, Day, "page_view")]);
        Assert.Equal(3, counter.Counts.Count);
        Assert.Equal(2, counter.DimensionCounts[new RollupDimensionKey(1, Rollups.QuarterMinutes, Day, "utm_source", "google", "page_view")]);
        Assert.Equal(2, counter.DimensionCounts[new RollupDimensionKey(1, Rollups.DayMinutes, Day, "utm_source", "google", "page_view")]);
        Assert.Equal(1, counter.DimensionCounts[new RollupDimensionKey(1, Rollups.DayMinutes, Day, "utm_medium", "cpc", "page_view")]);
        // (source, medium, campaign) values present: tenant 1 has google x2, cpc, spring; tenant 2 google; two grains each.
        Assert.Equal(2 * 4, counter.DimensionCounts.Count);
    }
}
