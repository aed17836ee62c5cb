using Utmost.Core.Funnels;

namespace Utmost.Tests.Core;

public sealed class FunnelCalculatorTests
{
    private static FunnelProgress Strict(long window, params (long Second, int Step)[] hits) =>
        FunnelCalculator.Progress(hits.Select(h => new FunnelHit(h.Second, h.Step)), 3, window, FunnelOrder.Strict);

    [Fact]
    public void Strict_order_needs_each_step_after_the_one_before_and_within_the_window_of_the_chain_start()
    {
        Assert.Equal([0L, 10, 20], Strict(100, (0, 1), (10, 2), (20, 3)).SecondsFromStart);
        // The purchase before the click does not count; the window is inclusive.
        Assert.Equal(2, Strict(100, (0, 1), (5, 3), (10, 2)).Level);
        Assert.Equal(3, Strict(100, (0, 1), (10, 2), (100, 3)).Level);
        Assert.Equal(2, Strict(100, (0, 1), (10, 2), (101, 3)).Level);
        // A later start gets further: its chain is the one reported.
        var later = Strict(100, (0, 1), (150, 1), (160, 2), (200, 3));
        Assert.Equal(3, later.Level);
        Assert.Equal([0L, 10, 50], later.SecondsFromStart);
        Assert.Equal(0, Strict(100, (10, 2), (20, 3)).Level);
        // One event meeting two steps at the same second takes both, as windowFunnel sorts (second, step).
        Assert.Equal(2, Strict(100, (7, 2), (7, 1)).Level);
    }

    [Fact]
    public void Any_order_takes_the_later_steps_wherever_they_fall_in_the_window_after_the_first()
    {
        var progress = FunnelCalculator.Progress([new(0, 1), new(30, 3), new(60, 2)], 3, 100, FunnelOrder.Any);
        Assert.Equal(3, progress.Level);
        Assert.Equal([0L, 60, 30], progress.SecondsFromStart);
        Assert.Equal(1, FunnelCalculator.Progress([new(0, 1), new(130, 2)], 3, 100, FunnelOrder.Any).Level);
    }

    [Fact]
    public void A_visitor_who_got_as_far_twice_is_timed_from_the_later_entry()
    {
        var twice = Strict(100, (0, 1), (10, 2), (20, 3), (500, 1), (505, 2), (507, 3));
        Assert.Equal(3, twice.Level);
        Assert.Equal([0L, 5, 7], twice.SecondsFromStart);
        // An earlier entry that got further wins over a later one.
        var further = Strict(100, (0, 1), (10, 2), (20, 3), (500, 1), (505, 2));
        Assert.Equal([0L, 10, 20], further.SecondsFromStart);
    }

    /// <summary>
    /// ClickHouse's windowFunnel as its source reads: one pass over the events sorted by (second, step), a first step
    /// starting a chain, a later step extending the chain of the step before if within that chain's window, stopping
    /// when a chain completes. Here to check that following each entry on its own reaches the same level.
    /// </summary>
    private static int WindowFunnelLevel(IEnumerable<FunnelHit> hits, int steps, long window)
    {
        var starts = new long?[steps];
        foreach (var (second, step) in hits.OrderBy(h => h.Second).ThenBy(h => h.Step))
        {
            if (step == 1)
            {
                starts[0] = second;
            }
            else if (starts[step - 2] is { } start && second <= start + window)
            {
                starts[step - 1] = start;
                if (step == steps)
                {
                    break;
                }
            }
        }
        return Enumerable.Range(0, steps).LastOrDefault(i => starts[i] is not null, -1) + 1;
    }

    private static List<FunnelHit> RandomHits(Random random, int steps, int span) =>
        Enumerable.Range(0, random.Next(0, 25)).Select(_ => new FunnelHit(random.Next(0, span), random.Next(1, steps + 1))).ToList();

    [Fact]
    public void Following_each_entry_reaches_the_level_windowFunnel_counts()
    {
        var random = new Random(6);
        for (var round = 0; round < 20_000; round++)
        {
            var steps = random.Next(2, 6);
            var window = random.Next(1, 60);
            var hits = RandomHits(random, steps, 200);
            Assert.Equal(WindowFunnelLevel(hits, steps, window), FunnelCalculator.Progress(hits, steps, window, FunnelOrder.Strict).Level);
        }
    }

    /// <summary>Each entry followed by scanning the events one by one; the furthest, latest entry wins.</summary>
    private static (int Level, List<long> Seconds) Scanned(List<FunnelHit> hits, int steps, long window, FunnelOrder order)
    {
        var sorted = hits.OrderBy(h => h.Second).ThenBy(h => h.Step).ToList();
        var best = (Level: 0, Seconds: new List<long>());
        for (var entry = 0; entry < sorted.Count; entry++)
        {
            if (sorted[entry].Step != 1)
            {
                continue;
            }
            var start = sorted[entry].Second;
            var seconds = new List<long> { 0 };
            if (order == FunnelOrder.Strict)
            {
                for (var j = entry + 1; j < sorted.Count && seconds.Count < steps && sorted[j].Second <= start + window; j++)
                {
                    if (sorted[j].Step == seconds.Count + 1)
                    {
                        seconds.Add(sorted[j].Second - start);
                    }
                }
            }
            else
            {
                for (var step = 2; step <= steps; step++)
                {
                    var found = sorted.FindIndex(h => h.Step == step && h.Second >= start && h.Second <= start + window);
                    if (found < 0)
                    {
                        break;
                    }
                    seconds.Add(sorted[found].Second - start);
                }
            }
            if (seconds.Count >= best.Level)
            {
                best = (seconds.Count, seconds);
            }
        }
        return best;
    }

    [Fact]
    public void Following_an_entry_by_look_ups_finds_what_scanning_the_events_finds()
    {
        var random = new Random(8);
        for (var round = 0; round < 20_000; round++)
        {
            var (steps, window, order) = (random.Next(2, 6), random.Next(1, 60), random.Next(2) == 0 ? FunnelOrder.Strict : FunnelOrder.Any);
            var hits = RandomHits(random, steps, 200);
            var expected = Scanned(hits, steps, window, order);
            var progress = FunnelCalculator.Progress(hits, steps, window, order);
            Assert.Equal(expected.Level, progress.Level);
            Assert.Equal(expected.Seconds, progress.SecondsFromStart);
        }
    }

    [Fact]
    public void The_progress_over_any_run_of_days_is_the_combination_of_those_days()
    {
        var random = new Random(7);
        const int day = 100;
        for (var round = 0; round < 5_000; round++)
        {
            var (steps, window, order) = (random.Next(2, 6), random.Next(1, 250), random.Next(2) == 0 ? FunnelOrder.Strict : FunnelOrder.Any);
            var hits = RandomHits(random, steps, 8 * day);
            var days = FunnelCalculator.Days(hits, steps, window, order, second => second / day);
            var (first, last) = (random.Next(0, 8), random.Next(0, 8));
            (first, last) = (Math.Min(first, last), Math.Max(first, last));
            // The period's answer: entries within its days, later steps from its start on (as the reports read events).
            var period = hits.Where(h => h.Second >= first * day && (h.Step != 1 || h.Second < (last + 1) * day));
            var expected = FunnelCalculator.Progress(period, steps, window, order);
            var combined = FunnelCalculator.Combine(days.Where(d => d.Day >= first && d.Day <= last));
            Assert.Equal(expected.Level, combined.Level);
            Assert.Equal(expected.SecondsFromStart, combined.SecondsFromStart);
        }
    }

    [Fact]
    public void The_report_gives_rates_drop_off_and_median_seconds_per_step()
    {
        FunnelStep[] steps = [new("a", "page_view"), new("b", "form_submit"), new("c", "lead_created")];
        var report = FunnelCalculator.Report(steps, [4, 2, 1], [[0, 0, 0, 0], [10, 30], [50]]);

        Assert.Equal([4L, 2, 1], report.Select(s => s.Entered));
        Assert.Equal([2L, 1, 1], report.Select(s => s.Converted));
        Assert.Equal([100.0, 50, 25], report.Select(s => s.ConversionRate));
        Assert.Equal([100.0, 50, 50], report.Select(s => s.StepConversionRate));
        Assert.Equal([2L, 1, 0], report.Select(s => s.DropOff));
        Assert.Equal([null, 20L, 50L], report.Select(s => s.MedianSecondsToConvert));
        Assert.Equal(0, FunnelCalculator.Report(steps, [0, 0, 0], [[], [], []])[0].StepConversionRate);
    }
}
