using System.Globalization;
using System.Text;

namespace Utmost.Bench;

/// <summary>Everything a run measured, and how it compares with the targets.</summary>
internal sealed record BenchReport(
    BenchOptions Options, ScenarioResult Batched, ScenarioResult Single, double PeakRssMb, double MaxSampledRssMb,
    RawInsertResult Raw, long AcknowledgedEvents, long RowsInDatabase, long? MetricsTotalEvents, SessionCatchUp Sessions)
{
    public const double BatchedTarget = 50_000;
    public const double SingleTarget = 5_000;
    public const double RssLimitMb = 300;

    public bool RowsMatch => RowsInDatabase == AcknowledgedEvents && (MetricsTotalEvents is null || MetricsTotalEvents == AcknowledgedEvents);

    public double RawRatio => Batched.EventsPerSecond / Raw.RowsPerSecond;
}

/// <summary>The session builder after the load: events still waiting for their sessions, and seconds until none were.</summary>
internal sealed record SessionCatchUp(long BacklogAtEnd, double Seconds);

/// <summary>Prints a <see cref="BenchReport"/> as aligned tables: each figure beside its target and a verdict.</summary>
internal static class ResultsTable
{
    public static string Render(BenchReport r)
    {
        var ci = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(ci, $"Utmost ingestion benchmark  ({r.Options.Seconds} s per scenario after {r.Options.WarmupSeconds} s warm-up, "
            + $"{Environment.ProcessorCount} cores, {ServerProcess.Build} server build, seed {r.Options.Seed})");
        text.AppendLine();

        var scenarios = new Table("scenario", "conns", "requests", "req/s", "events/s", "p50 ms", "p99 ms", "max ms", "errors", "server CPU", "bench CPU");
        foreach (var s in new[] { r.Batched, r.Single })
        {
            scenarios.Add(s.Name, N(s.Connections), N(s.Requests), N(s.RequestsPerSecond), N(s.EventsPerSecond),
                s.P50Ms.ToString("0.00", ci), s.P99Ms.ToString("0.00", ci), s.MaxMs.ToString("0.0", ci), N(s.Errors),
                $"{s.ServerCpuPercent:0}%", $"{s.BenchCpuPercent:0}%");
        }
        text.Append(scenarios.Render());
        foreach (var s in new[] { r.Batched, r.Single })
        {
            if (s.ErrorKinds.Count > 0)
            {
                text.AppendLine(ci, $"  {s.Name} errors: {string.Join(", ", s.ErrorKinds.Select(k => $"{k.Key} x{k.Value}"))}");
            }
        }
        text.AppendLine();

        var targets = new Table("figure", "measured", "target", "result");
        targets.Add("batched ingestion (events/s)", N(r.Batched.EventsPerSecond), $">= {N(BenchReport.BatchedTarget)}",
            Verdict(r.Batched.EventsPerSecond >= BenchReport.BatchedTarget));
        targets.Add("single-event requests (req/s)", N(r.Single.RequestsPerSecond), $">= {N(BenchReport.SingleTarget)}",
            Verdict(r.Single.RequestsPerSecond >= BenchReport.SingleTarget));
        targets.Add("server peak RSS (MB, VmHWM)", r.PeakRssMb.ToString("0.0", ci), $"< {N(BenchReport.RssLimitMb)}",
            Verdict(r.PeakRssMb < BenchReport.RssLimitMb));
        targets.Add("request errors (non-201)", N(r.Batched.Errors + r.Single.Errors), "0", Verdict(r.Batched.Errors + r.Single.Errors == 0));
        targets.Add("rows in database = acknowledged", $"{N(r.RowsInDatabase)} / {N(r.AcknowledgedEvents)}", "equal", Verdict(r.RowsMatch));
        text.Append(targets.Render());
        text.AppendLine();

        var context = new Table("for context", "value");
        context.Add("batched p50 / p99 latency (ms)", $"{r.Batched.P50Ms.ToString("0.00", ci)} / {r.Batched.P99Ms.ToString("0.00", ci)}");
        context.Add("single p50 / p99 latency (ms)", $"{r.Single.P50Ms.ToString("0.00", ci)} / {r.Single.P99Ms.ToString("0.00", ci)}");
        context.Add("server max sampled VmRSS (MB)", r.MaxSampledRssMb.ToString("0.0", ci));
        context.Add($"raw SQLite insert, {N(r.Raw.Rows)} rows, 1 txn (rows/s)", N(r.Raw.RowsPerSecond));
        context.Add("batched HTTP events/s / raw rows/s", r.RawRatio.ToString("0.00", ci));
        context.Add("metrics API total_events", r.MetricsTotalEvents is { } m ? N(m) : "n/a");
        context.Add("sessions: events unbuilt at end of load / s to build", $"{N(r.Sessions.BacklogAtEnd)} / {r.Sessions.Seconds.ToString("0.0", ci)}");
        text.Append(context.Render());
        return text.ToString();
    }

    private static string Verdict(bool pass) => pass ? "PASS" : "MISS";

    private static string N(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private sealed class Table(params string[] headers)
    {
        private readonly List<string[]> _rows = [];

        public void Add(params string[] cells) => _rows.Add(cells);

        public string Render()
        {
            var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
            var text = new StringBuilder();
            Line(text, headers, widths);
            text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            foreach (var row in _rows)
            {
                Line(text, row, widths);
            }
            return text.ToString();
        }

        // First column left-aligned (labels), the rest right-aligned (numbers).
        private static void Line(StringBuilder text, string[] cells, int[] widths) =>
            text.AppendLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
    }
}
