using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Utmost.Core.Channels;
using Utmost.Core.Events;
using Utmost.Events;
using Utmost.Storage.Sqlite;

namespace Utmost.Bench;

/// <summary>
/// The channel-performance report over N events (10 million by default) on ClickHouse, through the server's own
/// paths: the events are written to its local spool while it is stopped, then it ships them to ClickHouse and builds
/// their sessions; the stored credits are recomputed over HTTP; then the report is timed.
/// </summary>
internal static class ChannelPerformanceBenchmark
{
    /// <summary>The issue's target for the report over 10M events on ClickHouse.</summary>
    private const double TargetMs = 1_000;

    private const int TimedRequests = 20;
    private const int Days = 30;

    /// <summary>A way visitors arrive: UTM tags or a referrer, classified once as ingestion would.</summary>
    private sealed record Arrival(string? Source, string? Medium, string? Campaign, string? Referrer, TrafficSource Traffic);

    public static async Task<int> RunAsync(long eventCount, string workDir, CancellationToken cancellationToken)
    {
        await using var clickHouse = await ClickHouseProcess.StartAsync(Path.Combine(workDir, "clickhouse"), cancellationToken);
        var dataDir = Directory.CreateDirectory(Path.Combine(workDir, "server")).FullName;
        // The background recomputation is off: the bench times one recomputation of its own, alone.
        string[] args = ["--Utmost:Events:Provider=clickhouse", $"--ConnectionStrings:ClickHouse={clickHouse.Endpoint}?database=bench",
            "--Utmost:Attribution:RecomputeMinutes=0"];

        // A first start creates both schemas and the default tenant (key 1); the events then go into its spool.
        var adminKey = "bench-admin-key-" + Guid.NewGuid().ToString("N");
        await using (var first = await ServerProcess.StartAsync(dataDir, adminKey, cancellationToken, args))
        {
            await first.StopAsync(TimeSpan.FromSeconds(30));
        }
        Console.WriteLine($"Writing {eventCount:#,0} events of {Days} days into the server's spool...");
        var clock = Stopwatch.StartNew();
        var (visitors, conversions) = await WriteEventsAsync(dataDir, eventCount, keepRollups: false, funnelSteps: false, cancellationToken);
        Console.WriteLine($"  {visitors:#,0} visitors, {conversions:#,0} purchases, in {clock.Elapsed.TotalSeconds:0} s");

        await using var server = await ServerProcess.StartAsync(dataDir, adminKey, cancellationToken, args);
        try
        {
            return await MeasureAsync(server, eventCount, visitors, conversions, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            Console.WriteLine("Last server output:\n  " + string.Join("\n  ", server.OutputTail()));
            throw;
        }
    }

    private static async Task<int> MeasureAsync(ServerProcess server, long eventCount, long visitors, long conversions, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        var clock = Stopwatch.StartNew();
        await WaitUntilAsync("shipped to ClickHouse", async () => await GaugeAsync(client, "health/ready", "spool_backlog") == 0, cancellationToken);
        var shipped = clock.Elapsed;
        await WaitUntilAsync("sessions built", async () => await SessionBacklogAsync(client, cancellationToken) == 0, cancellationToken);
        Console.WriteLine($"  shipped in {shipped.TotalSeconds:0} s, sessions built in {clock.Elapsed.TotalSeconds:0} s");

        var today = DateTime.UtcNow.Date;
        var range = string.Create(CultureInfo.InvariantCulture, $"{today.AddDays(-(Days - 1)):yyyy-MM-dd}");
        var end = string.Create(CultureInfo.InvariantCulture, $"{today:yyyy-MM-dd}");
        await PostCostsAsync(client, today, cancellationToken);

        Console.WriteLine("Recomputing the stored credits of every model over the 30 days...");
        clock.Restart();
        using (var recompute = await client.PostAsync($"api/v1/analytics/attribution/recompute?date_from={range}&date_to={end}", null, cancellationToken))
        {
            recompute.EnsureSuccessStatusCode();
        }
        var recomputeSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  {recomputeSeconds:0.0} s");

        var path = $"api/marketing/channels?start={range}&end={end}";
        using var warmup = JsonDocument.Parse(await client.GetStringAsync(path, cancellationToken));
        var total = warmup.RootElement.GetProperty("total");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  report: {total.GetProperty("sessions").GetInt64():#,0} sessions, {total.GetProperty("orders").GetDouble():#,0} orders, {warmup.RootElement.GetProperty("channels").GetArrayLength()} channels"));
        var timings = new List<double>();
        for (var i = 0; i < TimedRequests; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            (await client.GetStringAsync(path, cancellationToken)).AsSpan();
            timings.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
        timings.Sort();
        var (p50, p95) = (timings[timings.Count / 2], timings[(int)Math.Ceiling(timings.Count * 0.95) - 1]);

        // For comparison: the live report, which rebuilds every journey of the range.
        clock.Restart();
        (await client.GetStringAsync($"api/v1/analytics/attribution/revenue?date_from={range}&date_to={end}", cancellationToken)).AsSpan();
        var liveSeconds = clock.Elapsed.TotalSeconds;
        server.EnsureRunning();
        var peakMb = server.PeakRssMb();

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"\nChannel performance over {eventCount:#,0} events on ClickHouse ({visitors:#,0} visitors, {conversions:#,0} purchases, {Days} days)\n");
        report.AppendLine(CultureInfo.InvariantCulture, $"GET /api/marketing/channels       p50 {p50,8:0} ms   p95 {p95,8:0} ms   ({TimedRequests} requests)");
        report.AppendLine(CultureInfo.InvariantCulture, $"recompute of stored credits     {recomputeSeconds,8:0.0} s (all 9 models, 30 days)");
        report.AppendLine(CultureInfo.InvariantCulture, $"live attribution/revenue        {liveSeconds,8:0.0} s (one model, journeys rebuilt)");
        report.AppendLine(CultureInfo.InvariantCulture, $"server peak memory              {peakMb,8:#,0} MB");
        var atTenMillion = eventCount >= 10_000_000 ? "" : $" (measured at {eventCount:#,0}; the target is at 10,000,000)";
        report.AppendLine(CultureInfo.InvariantCulture, $"\nchannel performance p50 <= {TargetMs:#,0} ms{atTenMillion}: {(p50 <= TargetMs ? "PASS" : "MISS")}");
        Console.WriteLine(report.ToString());
        await server.StopAsync(TimeSpan.FromSeconds(30));
        return 0;
    }

    /// <summary>
    /// Visitors with one to three visits each, from eight kinds of arrival, one to six page views a visit, and a
    /// purchase ending 3% of visits; appended with the server's own appender (as ClickHouse's spool, or as the embedded
    /// event store with its rollups). With <paramref name="funnelSteps"/>, 10% of visits also submit a form, and half of
    /// those go on to a lead, half of those to a quote, half of those to a job (AEON's funnel).
    /// </summary>
    internal static async Task<(long Visitors, long Conversions)> WriteEventsAsync(string dataDir, long count, bool keepRollups, bool funnelSteps,
        CancellationToken cancellationToken)
    {
        Arrival[] arrivals =
        [
            Of("google", "cpc", "search-brand", null), Of("google", "cpc", "search-generic", null), Of("newsletter", "email", "weekly", null),
            Of("facebook", "paid", "retargeting", null), Of("gdn", "display", "banners", null), Of(null, null, null, "https://www.google.com/"),
            Of(null, null, null, "https://l.facebook.com/"), Of(null, null, null, "https://blog.example.org/post"), Of(null, null, null, null),
        ];
        var random = new Random(7);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const long window = Days * 86_400_000L;
        var database = new SqliteDatabase(dataDir);
        using var appender = new SqliteEventAppender(database, keepRollups);
        string[] funnel = ["form_submit", "lead_created", "quote_requested", "job_created"];
        var batch = new List<MarketingEvent>(100_000);
        long written = 0, visitors = 0, conversions = 0;
        while (written < count)
        {
            var visitor = $"v{visitors++}";
            var visits = random.Next(1, 4);
            var starts = Enumerable.Range(0, visits).Select(_ => now - window + random.NextInt64(window - 3_600_000)).Order().ToArray();
            foreach (var start in starts)
            {
                var arrival = arrivals[random.Next(arrivals.Length)];
                var pages = random.Next(1, 7);
                for (var p = 0; p < pages; p++)
                {
                    batch.Add(Event(visitor, start + p * 60_000L, "page_view", p == 0 ? arrival : null));
                }
                var at = start + pages * 60_000L;
                for (var step = 0; funnelSteps && step < funnel.Length && random.NextDouble() < (step == 0 ? 0.10 : 0.5); step++)
                {
                    at += 60_000;
                    batch.Add(Event(visitor, at, funnel[step], null));
                }
                if (random.NextDouble() < 0.03)
                {
                    conversions++;
                    batch.Add(Event(visitor, at, "purchase", null) with
                    {
                        OrderId = $"o{conversions}", Revenue = Math.Round((decimal)(20 + random.NextDouble() * 180), 2), Currency = "EUR",
                    });
                }
            }
            if (batch.Count >= 100_000)
            {
                written += batch.Count;
                await appender.AppendAsync(batch, cancellationToken);
                batch.Clear();
            }
        }
        await appender.AppendAsync(batch, cancellationToken);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return (visitors, conversions);

        static Arrival Of(string? source, string? medium, string? campaign, string? referrer) =>
            new(source, medium, campaign, referrer, ChannelClassifier.Classify(new ChannelInput(source, medium, campaign, referrer, "https://shop.example/")));
    }

    /// <summary>An event as ingestion would have stored it; the first of a visit carries how the visitor arrived.</summary>
    private static MarketingEvent Event(string visitor, long at, string type, Arrival? arrival) => new()
    {
        Id = Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(at)).ToString(),
        TenantId = "bench",
        TenantKey = 1,
        EventType = type,
        PageUrl = "https://shop.example/",
        ReferrerUrl = arrival?.Referrer,
        UtmSource = arrival?.Source,
        UtmMedium = arrival?.Medium,
        UtmCampaign = arrival?.Campaign,
        LeadSource = arrival?.Traffic.LeadSource ?? "direct",
        VisitorId = visitor,
        Channel = arrival?.Traffic.Channel ?? Core.Channels.Channels.Direct,
        Source = arrival?.Traffic.Source,
        Medium = arrival?.Traffic.Medium,
        CreatedAt = at,
        ReceivedAt = at,
    };

    /// <summary>A day's cost for each paid campaign, over the 30 days.</summary>
    internal static async Task PostCostsAsync(HttpClient client, DateTime today, CancellationToken cancellationToken)
    {
        (string Source, string Medium, string Campaign)[] paid =
            [("google", "cpc", "search-brand"), ("google", "cpc", "search-generic"), ("facebook", "paid", "retargeting"), ("gdn", "display", "banners")];
        var rows = Enumerable.Range(0, Days).SelectMany(d => paid.Select(p => new
        {
            date = today.AddDays(-d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), source = p.Source, medium = p.Medium, campaign = p.Campaign,
            cost = 100 + d, clicks = 400 + d, impressions = 20_000, currency = "EUR",
        }));
        using var response = await client.PostAsync("api/costs", new StringContent(JsonSerializer.Serialize(rows), Encoding.UTF8, "application/json"),
            cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    internal static async Task<long> GaugeAsync(HttpClient client, string path, string name)
    {
        using var health = JsonDocument.Parse(await client.GetStringAsync(path));
        return health.RootElement.GetProperty("checks")[0].GetProperty("data").TryGetProperty(name, out var value) ? value.GetInt64() : 0;
    }

    internal static async Task<long> SessionBacklogAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var text = await client.GetStringAsync("metrics", cancellationToken);
        var line = text.Split('\n').First(l => l.StartsWith("utmost_session_backlog ", StringComparison.Ordinal));
        return long.Parse(line["utmost_session_backlog ".Length..], CultureInfo.InvariantCulture);
    }

    internal static async Task WaitUntilAsync(string what, Func<Task<bool>> done, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var quiet = 0;
        // Three quiet readings in a row: a gauge is as of its last round.
        while (quiet < 3)
        {
            if (stopwatch.Elapsed > TimeSpan.FromMinutes(60))
            {
                throw new TimeoutException($"not {what} within an hour");
            }
            await Task.Delay(1_000, cancellationToken);
            quiet = await done() ? quiet + 1 : 0;
        }
    }
}
