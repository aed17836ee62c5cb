using System.Numerics;
using Microsoft.Extensions.Options;
using Utmost.Core.Funnels;
using Utmost.Core.Metrics;
using Utmost.Core.Query;
using Utmost.Hosting;
using Utmost.Query;
using Utmost.Sessions;
using Utmost.Tenancy;

namespace Utmost.Funnels;

/// <summary>One value of a breakdown (null: visits without one) and its steps.</summary>
public sealed record FunnelGroupReport(string? Value, IReadOnlyList<FunnelStepReport> Steps);

/// <summary>
/// Counts a funnel over a period. Over whole days without a breakdown it reads the funnel's days (see
/// <see cref="FunnelDays"/>). Otherwise from the events: ClickHouse counts the visitors who entered and sends the step
/// events only of visitors with a second step, gathered per visitor; the embedded engine sends every step event. Each
/// visitor is followed here by <see cref="FunnelCalculator"/> (ClickHouse 18.16's windowFunnel orders events of the same
/// second arbitrarily, so its answer changes between runs), so every path and engine agrees.
/// </summary>
public sealed class FunnelReporter(IQueryEngine engine, SessionBuilder sessions, AnalyticsCache cache, FunnelDays funnelDays, IFunnelDayStore days,
    IOptions<UtmostOptions> options)
{
    public async Task<(IReadOnlyList<FunnelStepReport> Steps, IReadOnlyList<FunnelGroupReport> Groups)> ReportAsync(Tenant tenant, Funnel funnel,
        QueryPeriod period, Dimension? breakdown, CancellationToken cancellationToken)
    {
        // Events acknowledged before the question count (with a breakdown, their visits are needed).
        await cache.CatchUpAsync(tenant.Key, () => sessions.CatchUpAsync(cancellationToken));
        var timeout = TimeSpan.FromSeconds(options.Value.Query.TimeoutSeconds);
        // A funnel made up for one report (the default stages) has no stored days.
        if (breakdown is null && period.WholeDays && funnel.Id.Length > 0 && options.Value.Query.FunnelDays)
        {
            return (await FromDaysAsync(tenant, funnel, period, timeout, cancellationToken), []);
        }
        var dialects = await engine.DialectsAsync(tenant.Key, readsEvents: true, cancellationToken);
        FunnelSql Sql() => new(dialects(), funnel, breakdown, tenant.Key, period, sessions.LookbackMs);
        var steps = funnel.Steps.Count;
        var groups = new Dictionary<string, (long[] Entered, List<long>[] Seconds)>(StringComparer.Ordinal);
        (long[] Entered, List<long>[] Seconds) Group(string value)
        {
            if (!groups.TryGetValue(value, out var group))
            {
                groups[value] = group = (new long[steps], Enumerable.Range(0, steps).Select(_ => new List<long>()).ToArray());
            }
            return group;
        }

        // ClickHouse counts the visitors who entered, and sends the step events only of those who may have got past the
        // first step, a row a visitor; the embedded engine sends every step event, a row an event, and each visitor's
        // are put together here. Either way each visitor is followed here, by the same rules.
        var gathered = engine.GathersFunnelHits;
        var hitsTask = engine.RunAsync(gathered ? Sql().VisitorHits(minLevel: 2) : Sql().Hits(), timeout, cancellationToken);
        if (gathered)
        {
            foreach (var row in await engine.RunAsync(Sql().Entered(), timeout, cancellationToken))
            {
                Group(row[0] as string ?? "").Entered[0] += Convert.ToInt64(row[1]);
            }
        }
        var visitors = gathered
            ? (await hitsTask).Select(VisitorOfRow)
            : (await hitsTask).GroupBy(row => (string)row[0]!, StringComparer.Ordinal).Select(VisitorOfRows);
        foreach (var (entryBreakdown, hits) in visitors)
        {
            // Only visitors who entered (a first step in the period) are counted.
            if (entryBreakdown is null)
            {
                continue;
            }
            var progress = FunnelCalculator.Progress(hits, steps, funnel.WindowSeconds, funnel.Order);
            var group = Group(entryBreakdown);
            for (var step = gathered ? 1 : 0; step < progress.Level; step++)
            {
                group.Entered[step]++;
                group.Seconds[step].Add(progress.SecondsFromStart[step]);
            }
        }
        var all = (Entered: Enumerable.Range(0, steps).Select(i => groups.Values.Sum(g => g.Entered[i])).ToArray(),
            Seconds: Enumerable.Range(0, steps).Select(i => (IReadOnlyList<long>)groups.Values.SelectMany(g => g.Seconds[i]).ToList()).ToArray());
        var byValue = breakdown is null
            ? []
            : groups.OrderByDescending(g => g.Value.Entered[0]).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new FunnelGroupReport(g.Key.Length == 0 ? null : g.Key, FunnelCalculator.Report(funnel.Steps, g.Value.Entered, g.Value.Seconds)))
                .ToList();
        return (FunnelCalculator.Report(funnel.Steps, all.Entered, all.Seconds), byValue);
    }

    /// <summary>The report from the funnel's days: the visitors with an entry in the period, and how far they got.</summary>
    private async Task<IReadOnlyList<FunnelStepReport>> FromDaysAsync(Tenant tenant, Funnel funnel, QueryPeriod period, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        await funnelDays.EnsureFreshAsync(tenant, funnel, timeout, cancellationToken);
        var (firstDay, lastDay) = (OffsetSegments.NumberOfDay(period.FirstDay), OffsetSegments.NumberOfDay(period.LastDay));
        var enteredTask = days.EnteredAsync(tenant.Key, funnel.Id, firstDay, lastDay, cancellationToken);
        var further = await days.FurtherAsync(tenant.Key, funnel.Id, firstDay, lastDay, funnel.Steps.Count, cancellationToken);
        long[] entered = [await enteredTask, .. further.Select(f => f.Reached)];
        return FunnelCalculator.Report(funnel.Steps, entered, [null, .. further.Select(f => f.MedianSeconds)]);
    }

    /// <summary>A visitor's row of <see cref="FunnelSql.VisitorHits"/>: (v, entry breakdown, seconds[], step bits[]).</summary>
    private static (string? EntryBreakdown, IEnumerable<FunnelHit> Hits) VisitorOfRow(object?[] row)
    {
        var (seconds, flags) = ((object?[])row[2]!, (object?[])row[3]!);
        var hits = new List<FunnelHit>();
        for (var i = 0; i < seconds.Length; i++)
        {
            var second = Convert.ToInt64(seconds[i]);
            for (var bits = (ulong)Convert.ToInt64(flags[i]); bits != 0; bits &= bits - 1)
            {
                hits.Add(new FunnelHit(second, BitOperations.TrailingZeroCount(bits) + 1));
            }
        }
        return (hits.Any(h => h.Step == 1) ? row[1] as string ?? "" : null, hits);
    }

    /// <summary>A visitor's rows of <see cref="FunnelSql.Hits"/>: (v, t, breakdown, s1…sn) each.</summary>
    internal static (string? EntryBreakdown, IEnumerable<FunnelHit> Hits) VisitorOfRows(IEnumerable<object?[]> visitorRows)
    {
        var rows = visitorRows.Select(row => (At: Convert.ToInt64(row[1]), Breakdown: row[2] as string ?? "", Flags: row.Skip(3).Select(Convert.ToInt32).ToArray()))
            .ToList();
        // The visit the visitor entered the funnel in gives the breakdown (as argMinIf does in ClickHouse).
        var entry = rows.Where(r => r.Flags[0] == 1).OrderBy(r => r.At).ThenBy(r => r.Breakdown, StringComparer.Ordinal).FirstOrDefault();
        var hits = rows.SelectMany(r => r.Flags.Select((flag, i) => (flag, i)).Where(f => f.flag == 1).Select(f => new FunnelHit(r.At / 1000, f.i + 1)));
        return (entry.Flags is null ? null : entry.Breakdown, hits);
    }
}
