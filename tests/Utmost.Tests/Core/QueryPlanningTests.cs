using System.Text.Json;
using Utmost.Core.Common;
using Utmost.Core.Query;

namespace Utmost.Tests.Core;

/// <summary>Periods, time buckets, plans and the assembly of results: the pure steps between the parser and the SQL.</summary>
public sealed class QueryPlanningTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static AnalyticsQuery Parse(string json)
    {
        var errors = new ValidationErrors();
        var query = QueryParser.Parse(JsonDocument.Parse(json).RootElement, errors);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
        return query!;
    }

    [Fact]
    public void A_preset_is_whole_local_days_and_comparisons_shift_days_across_a_clock_change()
    {
        var today = new DateOnly(2025, 4, 2);
        var period = QueryPeriod.Resolve(new QueryDateRange("last_7_days"), Berlin, today, null);

        Assert.Equal((new DateOnly(2025, 3, 27), today, 7), (period.FirstDay, period.LastDay, period.Days));
        // 27 March 00:00 in Berlin is 23:00 UTC the day before (winter time); 3 April 00:00 is 22:00 UTC (summer time).
        Assert.Equal(new DateTimeOffset(2025, 3, 26, 23, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), period.FromMs);
        Assert.Equal(new DateTimeOffset(2025, 4, 2, 22, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), period.ToMs);
        var previous = period.PreviousPeriod(Berlin);
        Assert.Equal((new DateOnly(2025, 3, 20), new DateOnly(2025, 3, 26)), (previous.FirstDay, previous.LastDay));
        Assert.Equal(period.FromMs, previous.ToMs);
        var yearBefore = QueryPeriod.Resolve(new QueryDateRange(null, "2024-02-29", "2024-03-01"), Berlin, today, null).YearBefore(Berlin);
        Assert.Equal((new DateOnly(2023, 2, 28), new DateOnly(2023, 3, 1)), (yearBefore.FirstDay, yearBefore.LastDay));
    }

    [Fact]
    public void All_starts_on_the_first_day_with_data_and_date_times_are_instants_with_the_end_included()
    {
        var today = new DateOnly(2025, 4, 2);
        Assert.Equal(new DateOnly(2024, 12, 1), QueryPeriod.Resolve(new QueryDateRange("all"), Berlin, today, new DateOnly(2024, 12, 1)).FirstDay);
        Assert.Equal(today, QueryPeriod.Resolve(new QueryDateRange("all"), Berlin, today, null).FirstDay);

        var instants = QueryPeriod.Resolve(new QueryDateRange(null, "2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z"), Berlin, today, null);
        Assert.False(instants.WholeDays);
        Assert.Equal(3_600_001, instants.ToMs - instants.FromMs);
        Assert.Equal(instants.FromMs, instants.PreviousPeriod(Berlin).ToMs);
    }

    [Fact]
    public void Time_buckets_are_local_hours_days_iso_weeks_and_months()
    {
        var march = QueryPeriod.OfDays(new DateOnly(2025, 3, 29), new DateOnly(2025, 4, 1), Berlin);

        Assert.Equal(["2025-03-29", "2025-03-30", "2025-03-31", "2025-04-01"], Labels(TimeGrain.Day, march));
        // 24 March and 31 March are Mondays.
        Assert.Equal(["2025-03-24", "2025-03-31"], Labels(TimeGrain.Week, march));
        Assert.Equal(["2025-03-01", "2025-04-01"], Labels(TimeGrain.Month, march));
        // 30 March lost its 02:00 hour to summer time: 4 days of 24 hours, less one.
        var hours = Labels(TimeGrain.Hour, march);
        Assert.Equal(95, hours.Length);
        Assert.DoesNotContain("2025-03-30 02:00:00", hours);
        Assert.Equal(("2025-03-29 00:00:00", "2025-04-01 23:00:00"), (hours[0], hours[^1]));

        Assert.Equal(TimeGrain.Hour, TimeBuckets.GrainOf(DimensionKind.Time, QueryPeriod.OfDays(new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 1), Berlin)));
        Assert.Equal(TimeGrain.Day, TimeBuckets.GrainOf(DimensionKind.Time, march));
        Assert.Equal(TimeGrain.Month, TimeBuckets.GrainOf(DimensionKind.Time, QueryPeriod.OfDays(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), Berlin)));
    }

    private static string[] Labels(TimeGrain grain, QueryPeriod period) =>
        TimeBuckets.All(grain, period, Berlin).Select(b => TimeBuckets.Label(grain, b)).ToArray();

    [Fact]
    public void Event_dimensions_count_events_and_leave_visit_metrics_and_cost_null_with_a_warning()
    {
        var period = QueryPeriod.OfDays(new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 31), Berlin);
        var visits = QueryPlan.For(Parse("""{"metrics": ["visits", "bounce_rate", "cost"], "date_range": "last_7_days", "dimensions": ["visit:channel", "time:week"]}"""), period);
        Assert.Equal((QueryScope.Sessions, false, TimeGrain.Week), (visits.Scope, visits.JoinsSessions, visits.Grain));
        Assert.Empty(visits.Unavailable);

        var events = QueryPlan.For(Parse("""
            {"metrics": ["events", "bounce_rate", "cost", "visits"], "date_range": "last_7_days", "dimensions": ["event:page"],
             "filters": [["is", "visit:source", ["google"]]]}
            """), period);
        Assert.Equal((QueryScope.Events, true), (events.Scope, events.JoinsSessions));
        Assert.Equal([Metric.BounceRate, Metric.Cost], events.Unavailable.Order());
        Assert.Equal(2, events.Warnings.Count);
        Assert.False(events.NeedsCost);

        var hourlyCost = QueryPlan.For(Parse("""{"metrics": ["roas"], "date_range": "today", "dimensions": ["time"]}"""),
            QueryPeriod.OfDays(new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 1), Berlin));
        Assert.Contains(Metric.Roas, hourlyCost.Unavailable);
    }

    private static GroupTotals Totals(long visits, long pageviews, long bounces = 0) => new() { Visits = visits, Pageviews = pageviews, Bounces = bounces };

    [Fact]
    public void Results_are_sorted_paged_zero_filled_and_compared_bucket_by_bucket()
    {
        var period = QueryPeriod.OfDays(new DateOnly(2025, 3, 10), new DateOnly(2025, 3, 12), Berlin);
        var previous = period.PreviousPeriod(Berlin);
        var query = Parse("""
            {"metrics": ["visits", "views_per_visit", "bounce_rate"], "date_range": ["2025-03-10", "2025-03-12"], "dimensions": ["time:day"],
             "include": {"time_labels": true, "comparisons": "previous_period"}}
            """);
        var plan = QueryPlan.For(query, period);
        var buckets = TimeBuckets.All(TimeGrain.Day, period, Berlin);
        var previousBuckets = TimeBuckets.All(TimeGrain.Day, previous, Berlin);
        var groups = new Dictionary<GroupKey, GroupTotals> { [new([QueryResults.Text(buckets[2])])] = Totals(4, 10, bounces: 1) };
        var before = new Dictionary<GroupKey, GroupTotals> { [new([QueryResults.Text(previousBuckets[2])])] = Totals(2, 2, bounces: 2) };

        var answer = QueryResults.Assemble(query, plan, groups, buckets, "EUR", (before, previousBuckets));

        Assert.Equal(["2025-03-10", "2025-03-11", "2025-03-12"], answer.Results.Select(r => r.Dimensions[0]));
        Assert.Equal([0L, 0.0, 0.0], answer.Results[0].Metrics);
        Assert.Equal([4L, 2.5, 25.0], answer.Results[2].Metrics);
        var comparison = answer.Results[2].Comparison!;
        Assert.Equal("2025-03-09", comparison.Dimensions[0]);
        Assert.Equal([2L, 1.0, 100.0], comparison.Metrics);
        // Percent change for counts; points for rates.
        Assert.Equal([100.0, 150.0, -75.0], comparison.Change);
        Assert.Equal(3, answer.TotalRows);

        var byVisits = Parse("""{"metrics": ["visits"], "date_range": "today", "dimensions": ["visit:source"], "pagination": {"limit": 2, "offset": 1}}""");
        var sources = new Dictionary<GroupKey, GroupTotals>
        {
            [new(["a"])] = Totals(5, 0), [new(["b"])] = Totals(7, 0), [new(["c"])] = Totals(5, 0), [new([null])] = Totals(1, 0),
        };
        var page = QueryResults.Assemble(byVisits, QueryPlan.For(byVisits, period), sources, null, null);
        // b first; a and c tie and go by name; the null row is last by visits.
        Assert.Equal(["a", "c"], page.Results.Select(r => r.Dimensions[0]));
        Assert.Equal(4, page.TotalRows);
    }
}
