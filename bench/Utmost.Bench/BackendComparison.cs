using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Utmost.Core.Events;
using Utmost.Events;
using Utmost.Storage.Sqlite;

namespace Utmost.Bench;

/// <summary>
/// The same ingestion and metrics measurements against each event backend, side by side: batched ingestion over
/// HTTP, then the AEON metrics overview (30-day range) over a store preloaded with N events.
/// </summary>
internal static class BackendComparison
{

    private sealed record Row(string Backend, double EventsPerSecond, long Events, double P50Ms, double P95Ms);

    public static async Task<int> RunAsync(BenchOptions options, long metricsEvents, string workDir, CancellationToken cancellationToken)
    {
        var corpus = EventCorpus.Create(options.Seed, options.BatchSize);
        var rows = new List<Row>();
        await using (var clickHouse = await ClickHouseProcess.StartAsync(Path.Combine(workDir, "clickhouse"), cancellationToken))
        {
            foreach (var backend in new[] { "sqlite", "clickhouse" })
            {
                var dataDir = Directory.CreateDirectory(Path.Combine(workDir, backend)).FullName;
                string[] args = backend == "clickhouse"
                    ? ["--Utmost:Events:Provider=clickhouse", $"--ConnectionStrings:ClickHouse={clickHouse.Endpoint}?database=bench"]
                    : [];
                Console.WriteLine($"Preloading {metricsEvents:#,0} events into {backend}...");
                if (backend == "sqlite")
                {
                    await PreloadSqliteAsync(dataDir, corpus, metricsEvents, cancellationToken);
                }
                else
                {
                    await clickHouse.PreloadAsync("bench", corpus, metricsEvents, cancellationToken);
                }
                var started = Stopwatch.StartNew();
                await using var server = await ServerProcess.StartAsync(dataDir, cancellationToken, args);
                Console.WriteLine($"{backend}: started (schema upgraded, preloaded events rolled up) in {started.Elapsed.TotalSeconds:0.0} s");
                var (p50, p95) = await MetricsLatencyAsync(server, 50, cancellationToken);
                Console.WriteLine($"{backend}: metrics overview p50 {p50:0} ms, p95 {p95:0} ms over {metricsEvents:#,0} events");
                var load = new LoadScenario($"batched x{corpus.BatchSize}", server.BaseAddress, "marketing/events",
                    corpus.BatchBodies, corpus.BatchSize, options.BatchConnections);
                var result = await load.RunAsync(TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.Seconds), server, cancellationToken);
                Console.WriteLine($"{backend}: ingestion {result.EventsPerSecond:#,0} events/s ({result.Errors} errors)");
                rows.Add(new Row(backend, result.EventsPerSecond, metricsEvents, p50, p95));
                await server.StopAsync(TimeSpan.FromSeconds(30));
            }
        }
        Print(rows);
        return 0;
    }

    /// <summary>Events spread over the last 30 days, written with the server's own appender before it starts.</summary>
    private static async Task PreloadSqliteAsync(string dataDir, EventCorpus corpus, long count, CancellationToken cancellationToken)
    {
        var database = new SqliteDatabase(dataDir);
        await new SqliteMigrator(database, TimeProvider.System).MigrateAsync(cancellationToken);
        using var appender = new SqliteEventAppender(database, keepRollups: true);
        const int chunk = 100_000;
        for (long done = 0; done < count; done += chunk)
        {
            var events = Generate(corpus, done, (int)Math.Min(chunk, count - done)).ToArray();
            await appender.AppendAsync(events, cancellationToken);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>The n-th synthetic event: the corpus's mix, spread evenly over the 30 days before now, tenant key 1 (the default tenant).</summary>
    public static IEnumerable<MarketingEvent> Generate(EventCorpus corpus, long from, int count)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const long window = 30L * 86_400_000;
        for (var i = 0; i < count; i++)
        {
            var n = from + i;
            var e = corpus.Events[(int)(n % corpus.Events.Count)];
            var at = now - window + n * 7_919 % window;
            yield return e.ToStoredEvent(Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(at)).ToString(), at);
        }
    }

    /// <summary>p50 and p95 of the metrics overview over the last 30 days, after one untimed warm-up request.</summary>
    private static async Task<(double P50, double P95)> MetricsLatencyAsync(ServerProcess server, int requests, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        var today = DateTime.UtcNow.Date;
        var path = string.Create(CultureInfo.InvariantCulture, $"marketing/metrics?start_date={today.AddDays(-29):yyyy-MM-dd}&end_date={today:yyyy-MM-dd}");
        (await client.GetAsync(path, cancellationToken)).EnsureSuccessStatusCode(); // warm-up, and the spool flushed
        var timings = new List<double>();
        for (var i = 0; i < requests; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await client.GetAsync(path, cancellationToken);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            timings.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        timings.Sort();
        return (timings[timings.Count / 2], timings[(int)Math.Ceiling(timings.Count * 0.95) - 1]);
    }

    private static void Print(IReadOnlyList<Row> rows)
    {
        var sqlite = rows.Single(r => r.Backend == "sqlite");
        var clickHouse = rows.Single(r => r.Backend == "clickhouse");
        var builder = new StringBuilder();
        builder.AppendLine(CultureInfo.InvariantCulture, $"\nBackends side by side ({sqlite.Events:#,0} events over 30 days for the metrics overview)\n");
        builder.AppendLine("backend      ingestion events/s   metrics p50 ms   metrics p95 ms");
        foreach (var row in rows)
        {
            builder.AppendLine(CultureInfo.InvariantCulture, $"{row.Backend,-12} {row.EventsPerSecond,18:#,0} {row.P50Ms,16:0} {row.P95Ms,16:0}");
        }
        var atTenMillion = sqlite.Events >= 10_000_000 ? "" : $" (measured at {sqlite.Events:#,0}; the target is at 10,000,000)";
        builder.AppendLine();
        builder.AppendLine(CultureInfo.InvariantCulture, $"ClickHouse overview p50 <= 100 ms{atTenMillion}: {(clickHouse.P50Ms <= 100 ? "PASS" : "MISS")}");
        builder.AppendLine(CultureInfo.InvariantCulture, $"SQLite overview p50 <= 1,000 ms{atTenMillion}: {(sqlite.P50Ms <= 1000 ? "PASS" : "MISS")}");
        builder.AppendLine(CultureInfo.InvariantCulture, $"ClickHouse ingestion >= SQLite ingestion: {(clickHouse.EventsPerSecond >= sqlite.EventsPerSecond ? "PASS" : "MISS")}");
        Console.WriteLine(builder.ToString());
    }
}
