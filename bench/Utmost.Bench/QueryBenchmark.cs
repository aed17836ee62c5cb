using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Utmost.Bench;

/// <summary>
/// The dashboard's overview (totals, the daily timeline, the top 10 sources, campaigns, mediums and channels: six
/// queries sent at once, as the dashboard sends them) and a five-step funnel, over N events (10 million by default)
/// of the last 30 days, on ClickHouse and on the embedded SQLite store. The answer cache is off, so every request
/// is computed; the events go in through the server's own appender while it is stopped, then it builds the sessions.
/// </summary>
internal static class QueryBenchmark
{
    private const double ClickHouseOverviewTargetMs = 150;
    private const double SqliteOverviewTargetMs = 1_000;
    private const double ClickHouseFunnelTargetMs = 500;
    private const int TimedRounds = 20;

    private static readonly string[] Overview =
    [
        """{"metrics": ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration", "conversions", "revenue"], "date_range": "last_30_days"}""",
        """{"metrics": ["visitors", "visits"], "date_range": "last_30_days", "dimensions": ["time:day"], "include": {"time_labels": true}}""",
        .. new[] { "source", "campaign", "medium", "channel" }.Select(d =>
            $$$"""{"metrics": ["visitors", "visits"], "date_range": "last_30_days", "dimensions": ["visit:{{{d}}}"], "pagination": {"limit": 10}}"""),
    ];

    private const string Funnel = """
        {"name": "Lead to job", "window_hours": 168, "order": "strict",
         "steps": ["page_view", "form_submit", "lead_created", "quote_requested", "job_created"]}
        """;

    public static async Task<int> RunAsync(long eventCount, string engines, string workDir, CancellationToken cancellationToken)
    {
        var results = new StringBuilder();
        foreach (var engine in engines == "both" ? ["clickhouse", "sqlite"] : new[] { engines })
        {
            results.Append(await RunOneAsync(engine, eventCount, Path.Combine(workDir, engine), cancellationToken));
        }
        Console.WriteLine(results.ToString());
        return 0;
    }

    private static async Task<string> RunOneAsync(string engine, long eventCount, string workDir, CancellationToken cancellationToken)
    {
        var onClickHouse = engine == "clickhouse";
        await using var clickHouse = onClickHouse ? await ClickHouseProcess.StartAsync(Path.Combine(workDir, "clickhouse"), cancellationToken) : null;
        var dataDir = Directory.CreateDirectory(Path.Combine(workDir, "server")).FullName;
        string[] args =
        [
            "--Utmost:Query:CacheSeconds=0", "--Utmost:Query:TimeoutSeconds=600", "--Utmost:Attribution:RecomputeMinutes=0",
            .. onClickHouse ? ["--Utmost:Events:Provider=clickhouse", $"--ConnectionStrings:ClickHouse={clickHouse!.Endpoint}?database=bench"] : Array.Empty<string>(),
        ];
        var adminKey = "bench-admin-key-" + Guid.NewGuid().ToString("N");
        await using (var first = await ServerProcess.StartAsync(dataDir, adminKey, cancellationToken, args))
        {
            await first.StopAsync(TimeSpan.FromSeconds(30));
        }
        Console.WriteLine($"[{engine}] writing {eventCount:#,0} events of 30 days...");
        var clock = Stopwatch.StartNew();
        var (visitors, _) = await ChannelPerformanceBenchmark.WriteEventsAsync(dataDir, eventCount, keepRollups: !onClickHouse, funnelSteps: true,
            cancellationToken);
        Console.WriteLine($"  {visitors:#,0} visitors in {clock.Elapsed.TotalSeconds:0} s");

        await using var server = await ServerProcess.StartAsync(dataDir, adminKey, cancellationToken, args);
        try
        {
            return await MeasureAsync(server, engine, eventCount, visitors, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TimeoutException)
        {
            Console.WriteLine("Last server output:\n  " + string.Join("\n  ", server.OutputTail()));
            throw;
        }
    }

    private static async Task<string> MeasureAsync(ServerProcess server, string engine, long eventCount, long visitors, CancellationToken cancellationToken)
    {
        var onClickHouse = engine == "clickhouse";
        var clock = Stopwatch.StartNew();
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        await ChannelPerformanceBenchmark.WaitUntilAsync("shipped", async () =>
            await ChannelPerformanceBenchmark.GaugeAsync(client, "health/ready", "spool_backlog") == 0, cancellationToken);
        await ChannelPerformanceBenchmark.WaitUntilAsync("sessions built", async () =>
            await ChannelPerformanceBenchmark.SessionBacklogAsync(client, cancellationToken) == 0, cancellationToken);
        Console.WriteLine($"  shipped and sessions built in {clock.Elapsed.TotalSeconds:0} s");

        // The first answers, to show what was counted (and to warm the engine's caches as a dashboard in use would).
        string visitorsLine;
        using (var totals = JsonDocument.Parse(await PostAsync(client, "api/v2/query", Overview[0], cancellationToken)))
        {
            Console.WriteLine($"  totals: {totals.RootElement.GetProperty("results")[0].GetProperty("metrics")}");
            visitorsLine = await VisitorsErrorAsync(client, totals.RootElement, cancellationToken);
            Console.WriteLine("  " + visitorsLine);
        }
        var overview = new List<double>();
        var single = Overview.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < TimedRounds; round++)
        {
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Overview.Select(body => PostAsync(client, "api/v2/query", body, cancellationToken)));
            overview.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < Overview.Length; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                await PostAsync(client, "api/v2/query", Overview[i], cancellationToken);
                single[i].Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  overview p50 {Percentile(overview, 0.5):0} ms, p95 {Percentile(overview, 0.95):0} ms; alone: {string.Join(", ", single.Select(s => Percentile(s, 0.5).ToString("0", CultureInfo.InvariantCulture)))} ms"));
        using var created = JsonDocument.Parse(await PostAsync(client, "api/funnels", Funnel, cancellationToken));
        var report = $"api/funnels/{created.RootElement.GetProperty("id").GetString()}/report?date_range=last_30_days";
        static string Entered(JsonDocument answer) =>
            string.Join(" > ", answer.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("entered").GetInt64()));
        // The first report builds the funnel's days from the events; the same days as date-times follow every visitor.
        var built = Stopwatch.StartNew();
        string direct;
        using (var first = JsonDocument.Parse(await client.GetStringAsync(report, cancellationToken)))
        {
            built.Stop();
            Console.WriteLine($"  funnel: {Entered(first)} (first report, building its days: {built.Elapsed.TotalSeconds:0.0} s)");
            var days = first.RootElement.GetProperty("date_range").EnumerateArray().Select(d => d.GetString()).ToArray();
            direct = $"{report.Split('?')[0]}?date_range={Uri.EscapeDataString($"{days[0]}T00:00:00.000Z,{days[1]}T23:59:59.999Z")}";
        }
        var followed = Stopwatch.StartNew();
        using (var fromEvents = JsonDocument.Parse(await client.GetStringAsync(direct, cancellationToken)))
        {
            followed.Stop();
            Console.WriteLine($"  funnel from the events: {Entered(fromEvents)} ({followed.Elapsed.TotalSeconds:0.0} s)");
        }
        var funnel = new List<double>();
        for (var round = 0; round < TimedRounds; round++)
        {
            var stopwatch = Stopwatch.StartNew();
            (await client.GetStringAsync(report, cancellationToken)).AsSpan();
            funnel.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        server.EnsureRunning();
        var peakMb = server.PeakRssMb();
        await server.StopAsync(TimeSpan.FromSeconds(30));

        var overviewTarget = onClickHouse ? ClickHouseOverviewTargetMs : SqliteOverviewTargetMs;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"\nQueries over {eventCount:#,0} events on {engine} ({visitors:#,0} visitors, 30 days, cache off)\n");
        text.AppendLine(CultureInfo.InvariantCulture, $"overview (6 queries at once)   p50 {Percentile(overview, 0.5),8:0} ms   p95 {Percentile(overview, 0.95),8:0} ms");
        string[] names = ["totals", "timeline by day", "top 10 sources", "top 10 campaigns", "top 10 mediums", "top 10 channels"];
        for (var i = 0; i < names.Length; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {names[i],-27} p50 {Percentile(single[i], 0.5),8:0} ms   (alone)");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"funnel of 5 steps              p50 {Percentile(funnel, 0.5),8:0} ms   p95 {Percentile(funnel, 0.95),8:0} ms");
        text.AppendLine(CultureInfo.InvariantCulture, $"  first report (builds days)   {built.Elapsed.TotalMilliseconds,12:0} ms");
        text.AppendLine(CultureInfo.InvariantCulture, $"  same days as date-times      {followed.Elapsed.TotalMilliseconds,12:0} ms   (follows every visitor through the events)");
        text.AppendLine(CultureInfo.InvariantCulture, $"server peak memory             {peakMb,8:#,0} MB");
        text.AppendLine(visitorsLine);
        var scale = eventCount >= 10_000_000 ? "" : $" (measured at {eventCount:#,0}; the targets are at 10,000,000)";
        text.AppendLine(CultureInfo.InvariantCulture, $"overview p50 <= {overviewTarget:#,0} ms{scale}: {(Percentile(overview, 0.5) <= overviewTarget ? "PASS" : "MISS")}");
        if (onClickHouse)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"funnel p50 <= {ClickHouseFunnelTargetMs:#,0} ms{scale}: {(Percentile(funnel, 0.5) <= ClickHouseFunnelTargetMs ? "PASS" : "MISS")}");
        }
        Console.WriteLine(text.ToString());
        return text.ToString();
    }

    /// <summary>
    /// The overview's visitors (from the visit rollup's sketches) against the exact count: the same days given as
    /// instants, which the sessions answer (the bench tenant is in UTC).
    /// </summary>
    private static async Task<string> VisitorsErrorAsync(HttpClient client, JsonElement totals, CancellationToken cancellationToken)
    {
        var days = totals.GetProperty("query").GetProperty("date_range").EnumerateArray().Select(d => d.GetString()).ToArray();
        var exactQuery = JsonSerializer.Serialize(new { metrics = new[] { "visitors" }, date_range = new[] { $"{days[0]}T00:00:00Z", $"{days[1]}T23:59:59.999Z" } });
        using var exactAnswer = JsonDocument.Parse(await PostAsync(client, "api/v2/query", exactQuery, cancellationToken));
        var exact = exactAnswer.RootElement.GetProperty("results")[0].GetProperty("metrics")[0].GetInt64();
        var estimated = totals.GetProperty("results")[0].GetProperty("metrics")[0].GetInt64();
        return string.Create(CultureInfo.InvariantCulture,
            $"visitors from the rollup         {estimated:#,0} (exact {exact:#,0}: {100.0 * (estimated - exact) / exact:+0.00;-0.00}%)");
    }

    private static async Task<string> PostAsync(HttpClient client, string path, string body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text}");
        }
        return text;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * p) - 1)];
    }
}
