using System.Numerics;
using Microsoft.Extensions.Options;
using Utmost.Core.Funnels;
using Utmost.Core.Query;
using Utmost.Hosting;
using Utmost.Query;
using Utmost.Sessions;
using Utmost.Tenancy;

namespace Utmost.Funnels;

/// <summary>One value of a breakdown (null: visits without one) and its steps.</summary>
public sealed record FunnelGroupReport(string? Value, IReadOnlyList<FunnelStepReport> Steps);

/// <summary>
/// Counts a funnel over a period. ClickHouse counts a strict funnel itself with windowFunnel, and sends the step
/// events only of visitors with a second step (for the times to convert), gathered per visitor; the embedded
/// engine, and any order, send the step events and <see cref="FunnelCalculator"/> follows each visitor here.
/// Either way a visitor's progress follows the same rules, so the engines agree.
/// </summary>
public sealed class FunnelReporter(IQueryEngine engine, SessionBuilder sessions, AnalyticsCache cache, IOptions<UtmostOptions> options)
{
    public async Task<(IReadOnlyList<FunnelStepReport> Steps, IReadOnlyList<FunnelGroupReport> Groups)> ReportAsync(Tenant tenant, Funnel funnel,
        QueryPeriod period, Dimension? breakdown, CancellationToken cancellationToken)
    {
        // Events acknowledged before the question count (with a breakdown, their visits are needed).
        await cache.CatchUpAsync(tenant.Key, () => sessions.CatchUpAsync(cancellationToken));
        var timeout = TimeSpan.FromSeconds(options.Value.Query.TimeoutSeconds);
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

        var engineCounts = engine.CountsFunnels && funnel.Order == FunnelOrder.Strict;
        // ClickHouse sends the step events of visitors who may have got past the first step (for the times to convert),
        // a row a visitor, while it counts the levels; otherwise every step event comes, a row an event, and each
        // visitor's are put together here.
        var hitsTask = engine.RunAsync(engineCounts ? Sql().VisitorHits(minLevel: 2) : Sql().Hits(), timeout, cancellationToken);
        if (engineCounts)
        {
            foreach (var row in await engine.RunAsync(Sql().Levels(), timeout, cancellationToken))
            {
                var (value, level, count) = (row[0] as string ?? "", Convert.ToInt32(row[1]), Convert.ToInt64(row[2]));
                var entered = Group(value).Entered;
                for (var step = 0; step < level; step++)
                {
                    entered[step] += count;
                }
            }
        }
        var visitors = engineCounts
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
            for (var step = 0; step < progress.Level; step++)
            {
                if (!engineCounts)
                {
                    group.Entered[step]++;
                }
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
    private static (string? EntryBreakdown, IEnumerable<FunnelHit> Hits) VisitorOfRows(IEnumerable<object?[]> visitorRows)
    {
        var rows = visitorRows.Select(row => (At: Convert.ToInt64(row[1]), Breakdown: row[2] as string ?? "", Flags: row.Skip(3).Select(Convert.ToInt32).ToArray()))
            .ToList();
        // The visit the visitor entered the funnel in gives the breakdown (as argMinIf does in ClickHouse).
        var entry = rows.Where(r => r.Flags[0] == 1).OrderBy(r => r.At).ThenBy(r => r.Breakdown, StringComparer.Ordinal).FirstOrDefault();
        var hits = rows.SelectMany(r => r.Flags.Select((flag, i) => (flag, i)).Where(f => f.flag == 1).Select(f => new FunnelHit(r.At / 1000, f.i + 1)));
        return (entry.Flags is null ? null : entry.Breakdown, hits);
    }
}
