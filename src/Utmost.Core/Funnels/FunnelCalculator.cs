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

/// <summary>
/// A visitor's progress through a funnel, and the report over many visitors. Strict order follows ClickHouse's
/// windowFunnel step by step (so the embedded engine and ClickHouse agree): events sorted by (second, step); a
/// first step starts a chain; a later step extends the chain of the step before it while within the window of
/// that chain's start; the first chain to complete ends the search. The visitor's level is the longest chain.
/// </summary>
public static class FunnelCalculator
{
    public static FunnelProgress Progress(IEnumerable<FunnelHit> hits, int steps, long windowSeconds, FunnelOrder order)
    {
        var sorted = hits.OrderBy(h => h.Second).ThenBy(h => h.Step).ToList();
        return order == FunnelOrder.Strict ? Strict(sorted, steps, windowSeconds) : Any(sorted, steps, windowSeconds);
    }

    private static FunnelProgress Strict(List<FunnelHit> hits, int steps, long window)
    {
        // chains[i]: the times of the latest chain that reached step i + 1.
        var chains = new long[]?[steps];
        foreach (var (second, step) in hits)
        {
            if (step == 1)
            {
                chains[0] = [second];
            }
            else if (chains[step - 2] is { } before && second <= before[0] + window)
            {
                chains[step - 1] = [.. before, second];
                if (step == steps)
                {
                    break;
                }
            }
        }
        for (var level = steps; level > 0; level--)
        {
            if (chains[level - 1] is { } chain)
            {
                return new FunnelProgress(level, chain.Select(t => t - chain[0]).ToArray());
            }
        }
        return FunnelProgress.None;
    }

    /// <summary>From each first-step event, the later steps each found (first occurrence) within the window; the start that gets furthest counts.</summary>
    private static FunnelProgress Any(List<FunnelHit> hits, int steps, long window)
    {
        var best = FunnelProgress.None;
        foreach (var start in hits.Where(h => h.Step == 1))
        {
            var seconds = new List<long> { 0 };
            for (var step = 2; step <= steps; step++)
            {
                var found = hits.FirstOrDefault(h => h.Step == step && h.Second >= start.Second && h.Second <= start.Second + window);
                if (found.Step == 0)
                {
                    break;
                }
                seconds.Add(found.Second - start.Second);
            }
            if (seconds.Count > best.Level)
            {
                best = new FunnelProgress(seconds.Count, seconds);
            }
        }
        return best;
    }

    /// <summary>
    /// The report of one group of visitors: <paramref name="entered"/>[i] visitors reached step i + 1 (their count,
    /// whoever counted it); <paramref name="secondsFromStart"/>[i] holds, for visitors who reached step i + 1, the
    /// seconds it took from entering the funnel.
    /// </summary>
    public static IReadOnlyList<FunnelStepReport> Report(IReadOnlyList<FunnelStep> steps, IReadOnlyList<long> entered,
        IReadOnlyList<IReadOnlyList<long>> secondsFromStart) => steps.Select((step, i) =>
    {
        var next = i + 1 < steps.Count ? entered[i + 1] : entered[i];
        var dropOff = entered[i] - next;
        return new FunnelStepReport(i + 1, step.Name, entered[i], next, MarketingRates.Percent(entered[i], entered[0]),
            i == 0 ? (entered[0] > 0 ? 100 : 0) : MarketingRates.Percent(entered[i], entered[i - 1]), dropOff, MarketingRates.Percent(dropOff, entered[i]),
            i == 0 ? null : Median(secondsFromStart[i]));
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
