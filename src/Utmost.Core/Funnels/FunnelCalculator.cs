using Utmost.Core.Metrics;

namespace Utmost.Core.Funnels;

/// <summary>An event that meets a step (1-based): its time in whole seconds, the grain ClickHouse's windowFunnel counts in.</summary>
public readonly record struct FunnelHit(long Second, int Step);

/// <summary>How far one visitor got: the last step reached, and the seconds from entering the funnel to each step reached.</summary>
public sealed record FunnelProgress(int Level, IReadOnlyList<long> SecondsFromStart)
{
    public static readonly FunnelProgress None = new(0, []);
}

public sealed record FunnelStepReport(int Step, string Name, long Entered, long Converted, double ConversionRate, double StepConversionRate,
    long DropOff, double DropOffRate, long? MedianSecondsToConvert);

/// <summary>A visitor's progress from the entries (first steps) of one local day: see <see cref="FunnelCalculator.Days"/>.</summary>
public readonly record struct FunnelDay(long Day, FunnelProgress Progress);

/// <summary>
/// A visitor's progress through a funnel, and the report over many visitors. Each first-step event is an entry, and
/// is followed on its own through the events within the window after it: in strict order each later step must come
/// after the one before it (events sorted by second, then step, as ClickHouse's windowFunnel sorts them since 21.1), in any order
/// each later step's first event in the window counts. The visitor's level is the furthest any entry got (what
/// windowFunnel counts), and the seconds to each step are those of the latest entry that got that far.
/// Because each entry is followed on its own, the progress over a period is the best of its days' progress
/// (<see cref="Days"/>, <see cref="Combine"/>), which lets a day's answer be stored and reused.
/// </summary>
public static class FunnelCalculator
{
    /// <summary>The progress over every entry among <paramref name="hits"/>.</summary>
    public static FunnelProgress Progress(IEnumerable<FunnelHit> hits, int steps, long windowSeconds, FunnelOrder order) =>
        Combine(Days(hits, steps, windowSeconds, order, _ => 0));

    /// <summary>
    /// The progress of each day's entries, a day given by <paramref name="dayOfSecond"/>; a later step may fall on a later
    /// day than its entry (within the window). Days without an entry are left out.
    /// </summary>
    public static IReadOnlyList<FunnelDay> Days(IEnumerable<FunnelHit> hits, int steps, long windowSeconds, FunnelOrder order,
        Func<long, long> dayOfSecond)
    {
        var sorted = hits.OrderBy(h => h.Second).ThenBy(h => h.Step).ToList();
        var next = NextOfEachStep(sorted, steps);
        var days = new List<FunnelDay>();
        // From the latest entry back: the first entry found at a level is the latest to get that far.
        for (var i = sorted.Count - 1; i >= 0; i--)
        {
            if (sorted[i].Step != 1)
            {
                continue;
            }
            var day = dayOfSecond(sorted[i].Second);
            if (days.Count > 0 && days[^1].Day == day && days[^1].Progress.Level == steps)
            {
                continue;
            }
            var progress = Follow(sorted, next, i, steps, windowSeconds, order);
            if (days.Count == 0 || days[^1].Day != day)
            {
                days.Add(new FunnelDay(day, progress));
            }
            else if (progress.Level > days[^1].Progress.Level)
            {
                days[^1] = new FunnelDay(day, progress);
            }
        }
        days.Reverse();
        return days;
    }

    /// <summary>The progress over the given days: the furthest level, timed from the latest day that reached it.</summary>
    public static FunnelProgress Combine(IEnumerable<FunnelDay> days)
    {
        FunnelDay? best = null;
        foreach (var day in days)
        {
            if (best is null || day.Progress.Level > best.Value.Progress.Level
                || (day.Progress.Level == best.Value.Progress.Level && day.Day > best.Value.Day))
            {
                best = day;
            }
        }
        return best?.Progress ?? FunnelProgress.None;
    }

    /// <summary>
    /// next[step][i]: the first position at or after i of an event meeting that step (1-based), or -1; so following an
    /// entry takes a look-up per step, however many events a visitor has.
    /// </summary>
    private static int[][] NextOfEachStep(List<FunnelHit> sorted, int steps)
    {
        var next = new int[steps + 1][];
        for (var step = 1; step <= steps; step++)
        {
            next[step] = new int[sorted.Count + 1];
            next[step][sorted.Count] = -1;
            for (var i = sorted.Count - 1; i >= 0; i--)
            {
                next[step][i] = sorted[i].Step == step ? i : next[step][i + 1];
            }
        }
        return next;
    }

    /// <summary>
    /// From the entry at <paramref name="entry"/>, within the window: in strict order each next step's first event after
    /// the step before; in any order each later step's first event from the entry's second on.
    /// </summary>
    private static FunnelProgress Follow(List<FunnelHit> sorted, int[][] next, int entry, int steps, long window, FunnelOrder order)
    {
        var start = sorted[entry].Second;
        var seconds = new List<long>(steps) { 0 };
        // Any order looks from the entry on: nothing of a later step sorts before it within its second.
        for (var (step, position) = (2, entry); step <= steps; step++)
        {
            var found = next[step][order == FunnelOrder.Strict ? position + 1 : entry];
            if (found < 0 || sorted[found].Second > start + window)
            {
                break;
            }
            seconds.Add(sorted[found].Second - start);
            position = found;
        }
        return new FunnelProgress(seconds.Count, seconds);
    }

    /// <summary>
    /// The report of one group of visitors: <paramref name="entered"/>[i] visitors reached step i + 1 (their count,
    /// whoever counted it); <paramref name="secondsFromStart"/>[i] holds, for visitors who reached step i + 1, the
    /// seconds it took from entering the funnel.
    /// </summary>
    public static IReadOnlyList<FunnelStepReport> Report(IReadOnlyList<FunnelStep> steps, IReadOnlyList<long> entered,
        IReadOnlyList<IReadOnlyList<long>> secondsFromStart) =>
        Report(steps, entered, secondsFromStart.Select((seconds, i) => i == 0 ? null : Median(seconds)).ToList());

    /// <summary>The same, given each step's median seconds from entering (null for the first, or without values).</summary>
    public static IReadOnlyList<FunnelStepReport> Report(IReadOnlyList<FunnelStep> steps, IReadOnlyList<long> entered,
        IReadOnlyList<long?> medianSeconds) => steps.Select((step, i) =>
    {
        var next = i + 1 < steps.Count ? entered[i + 1] : entered[i];
        var dropOff = entered[i] - next;
        return new FunnelStepReport(i + 1, step.Name, entered[i], next, MarketingRates.Percent(entered[i], entered[0]),
            i == 0 ? (entered[0] > 0 ? 100 : 0) : MarketingRates.Percent(entered[i], entered[i - 1]), dropOff, MarketingRates.Percent(dropOff, entered[i]),
            medianSeconds[i]);
    }).ToList();

    /// <summary>The middle value; for an even count the mean of the two middle ones, to the nearest second; null without values.</summary>
    public static long? Median(IReadOnlyList<long> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (long)Math.Round((sorted[middle - 1] + sorted[middle]) / 2.0, MidpointRounding.AwayFromZero);
    }
}
