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

    private sealed record Row(string Backend, long Events, double P50Ms, double P95Ms, List<double> Rounds)
    {
        public double EventsPerSecond => Rounds.Order().ElementAt(Rounds.Count / 2);
    }

    /// <summary>Ingestion rounds per backend, alternating, so drift in the machine's speed hits both alike.</summary>
    private const int IngestionRounds = 3;

    public static async Task<int> RunAsync(BenchOptions options, long metricsEvents, string workDir, CancellationToken cancellationToken)
    {
        var corpus = EventCorpus.Create(options.Seed, options.BatchSize);
        var rows = new List<Row>();
        var servers = new List<ServerProcess>();
        await using var clickHouse = await ClickHouseProcess.StartAsync(Path.Combine(workDir, "clickhouse"), cancellationToken);
        try
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
                var server = await ServerProcess.StartAsync(dataDir, cancellationToken, args);
                servers.Add(server);
                Console.WriteLine($"{backend}: started (schema upgraded, preloaded events rolled up) in {started.Elapsed.TotalSeconds:0.0} s");
                var (p50, p95) = await MetricsLatencyAsync(server, 50, cancellationToken);
                Console.WriteLine($"{backend}: metrics overview p50 {p50:0} ms, p95 {p95:0} ms over {metricsEvents:#,0} events");
                rows.Add(new Row(backend, metricsEvents, p50, p95, []));
            }
            for (var round = 0; round < IngestionRounds; round++)
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    var load = new LoadScenario($"batched x{corpus.BatchSize}", servers[i].BaseAddress, "marketing/events",
                        corpus.BatchBodies, corpus.BatchSize, options.BatchConnections);
                    var result = await load.RunAsync(TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.Seconds), servers[i], cancellationToken);
                    // The next round starts once this backend is quiet: ClickHouse's spool shipped, SQLite's log checkpointed.
                    var (backlog, drained) = await DrainAsync(servers[i], cancellationToken);
                    Console.WriteLine($"{rows[i].Backend}: ingestion round {round + 1}: {result.EventsPerSecond:#,0} events/s ({result.Errors} errors)" +
                        (rows[i].Backend == "clickhouse" ? $", {backlog:#,0} waiting in the spool at the end, shipped {drained.TotalSeconds:0.0} s later" : ""));
                    rows[i].Rounds.Add(result.EventsPerSecond);
                }
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.StopAsync(TimeSpan.FromSeconds(30));
                await server.DisposeAsync();
            }
        }
        Print(rows);
        return 0;
    }

    /// <summary>Waits until the spool is empty (and a few seconds more); returns the backlog found first and how long it took.</summary>
    private static async Task<(long Backlog, TimeSpan Drained)> DrainAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        var stopwatch = Stopwatch.StartNew();
        long? first = null;
        while (true)
        {
            using var health = JsonDocument.Parse(await client.GetStringAsync("health/ready", cancellationToken));
            var backlog = health.RootElement.GetProperty("checks")[0].GetProperty("data").TryGetProperty("spool_backlog", out var value) ? value.GetInt64() : 0;
            first ??= backlog;
            if (backlog == 0)
            {
                break;
            }
            await Task.Delay(100, cancellationToken);
        }
        var drained = stopwatch.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        return (first.Value, drained);
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
        builder.AppendLine($"backend      ingestion events/s (median of {IngestionRounds}, range)   metrics p50 ms   metrics p95 ms");
        foreach (var row in rows)
        {
            var range = $"{row.Rounds.Min():#,0}-{row.Rounds.Max():#,0}";
            builder.AppendLine(CultureInfo.InvariantCulture, $"{row.Backend,-12} {row.EventsPerSecond,12:#,0} ({range,15}) {row.P50Ms,25:0} {row.P95Ms,16:0}");
        }
        var atTenMillion = sqlite.Events >= 10_000_000 ? "" : $" (measured at {sqlite.Events:#,0}; the target is at 10,000,000)";
        builder.AppendLine();
        builder.AppendLine(CultureInfo.InvariantCulture, $"ClickHouse overview p50 <= 100 ms{atTenMillion}: {(clickHouse.P50Ms <= 100 ? "PASS" : "MISS")}");
        builder.AppendLine(CultureInfo.InvariantCulture, $"SQLite overview p50 <= 1,000 ms{atTenMillion}: {(sqlite.P50Ms <= 1000 ? "PASS" : "MISS")}");
        builder.AppendLine(CultureInfo.InvariantCulture, $"ClickHouse ingestion >= SQLite ingestion: {(clickHouse.EventsPerSecond >= sqlite.EventsPerSecond ? "PASS" : "MISS")}");
        Console.WriteLine(builder.ToString());
    }
}
