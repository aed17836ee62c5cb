using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Utmost.Bench;

// Ingestion benchmark: the real server over real HTTP, then the raw SQLite ceiling, then one table of verdicts.
// `backends [N]` compares the event backends instead: ingestion, and the metrics overview over N preloaded events.
// `enrichment` measures the per-event cost of enrichment in-process; `attribution` the attribution models over 1M journeys;
// `channels [N]` the channel-performance report over N events (10M by default) on ClickHouse;
// `query [N] [clickhouse|sqlite|both]` the dashboard overview and a 5-step funnel over N events (10M by default).
var compareBackends = args.Length > 0 && args[0] == "backends";
var channelReport = args.Length > 0 && args[0] == "channels";
var queries = args.Length > 0 && args[0] == "query";
var enrichment = args.Length > 0 && args[0] == "enrichment";
var attribution = args.Length > 0 && args[0] == "attribution";
if (enrichment || attribution)
{
    args = args[1..];
}
long metricsEvents = channelReport || queries ? 10_000_000 : 1_000_000;
if (compareBackends || channelReport || queries)
{
    args = args[1..];
    if (args.Length > 0 && long.TryParse(args[0], System.Globalization.CultureInfo.InvariantCulture, out var requested))
    {
        metricsEvents = requested;
        args = args[1..];
    }
}
var engines = "both";
if (queries && args.Length > 0 && args[0] is "clickhouse" or "sqlite" or "both")
{
    engines = args[0];
    args = args[1..];
}
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
// Ctrl+C or a SIGTERM cancels the run instead of ending the process, so the finally below still stops the server.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
var workDir = Directory.CreateTempSubdirectory("utmost-bench-").FullName;
ServerProcess? server = null;
// Even an unhandled failure must not leave a server behind.
AppDomain.CurrentDomain.ProcessExit += (_, _) => server?.Kill();
try
{
    var ct = cancel.Token;
    if (compareBackends)
    {
        return await BackendComparison.RunAsync(options, metricsEvents, workDir, ct);
    }
    if (channelReport)
    {
        return await ChannelPerformanceBenchmark.RunAsync(metricsEvents, workDir, ct);
    }
    if (queries)
    {
        return await QueryBenchmark.RunAsync(metricsEvents, engines, workDir, ct);
    }
    if (enrichment)
    {
        return EnrichmentBenchmark.Run(options);
    }
    if (attribution)
    {
        return AttributionBenchmark.Run(options);
    }
    Console.WriteLine($"Building the event corpus (seed {options.Seed}, {options.BatchSize} events per batch)...");
    var corpus = EventCorpus.Create(options.Seed, options.BatchSize);

    var dataDir = Directory.CreateDirectory(Path.Combine(workDir, "server")).FullName;
    Console.WriteLine($"Starting the server from {AppContext.BaseDirectory} (data in {dataDir})...");
    if (ServerProcess.Build != "Release")
    {
        Console.WriteLine("warning: utmost.dll is a Debug build; run the bench with -c Release for meaningful figures.");
    }
    server = await ServerProcess.StartAsync(dataDir, ct);
    Console.WriteLine($"Server ready at {server.BaseAddress} (pid {server.Pid}).");

    var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
    var duration = TimeSpan.FromSeconds(options.Seconds);
    var batchedLoad = new LoadScenario($"batched x{corpus.BatchSize}", server.BaseAddress, "marketing/events",
        corpus.BatchBodies, corpus.BatchSize, options.BatchConnections);
    Console.WriteLine($"Batched ingestion: {options.BatchConnections} connections, {options.WarmupSeconds} s warm-up + {options.Seconds} s...");
    var batched = await batchedLoad.RunAsync(warmup, duration, server, ct);
    Console.WriteLine($"  {batched.EventsPerSecond:#,0} events/s, p99 {batched.P99Ms:0.00} ms, {batched.Errors} errors");

    var singleLoad = new LoadScenario("single event", server.BaseAddress, "marketing/event", corpus.SingleBodies, 1, options.SingleConnections);
    Console.WriteLine($"Single-event requests: {options.SingleConnections} connections, {options.WarmupSeconds} s warm-up + {options.Seconds} s...");
    var single = await singleLoad.RunAsync(warmup, duration, server, ct);
    Console.WriteLine($"  {single.RequestsPerSecond:#,0} requests/s, p99 {single.P99Ms:0.00} ms, {single.Errors} errors");

    Console.WriteLine("Waiting for the session builder to catch up...");
    var sessions = await SessionCatchUpAsync(server, ct);
    Console.WriteLine($"  {sessions.BacklogAtEnd:#,0} events waiting when the load stopped, built {sessions.Seconds:0.0} s later");

    server.EnsureRunning();
    var peakRss = server.PeakRssMb();
    var sampledRss = server.MaxSampledRssMb;
    var metricsTotal = await MetricsTotalEventsAsync(server, ct);
    Console.WriteLine("Stopping the server (SIGTERM)...");
    await server.StopAsync(TimeSpan.FromSeconds(30));
    var rowsInDatabase = CountRows(server.DatabasePath);

    Console.WriteLine($"Raw SQLite insert ceiling: {options.RawRows:#,0} rows in one transaction...");
    var raw = await RawInsertCeiling.RunAsync(Path.Combine(workDir, "raw"), corpus.Events, options.RawRows, ct);
    SqliteConnection.ClearAllPools();
    Console.WriteLine($"  {raw.RowsPerSecond:#,0} rows/s ({raw.RowsInTable:#,0} rows in the table)");

    var report = new BenchReport(options, batched, single, peakRss, sampledRss, raw,
        batchedLoad.AcknowledgedEvents + singleLoad.AcknowledgedEvents, rowsInDatabase, metricsTotal, sessions);
    Console.WriteLine(ResultsTable.Render(report));
    if (batched.Errors + single.Errors > 0)
    {
        Console.WriteLine("Last server output:");
        foreach (var line in server.OutputTail())
        {
            Console.WriteLine("  " + line);
        }
    }
    // A benchmark may miss a throughput target and still be a good run; losing acknowledged events never is.
    return report.RowsMatch ? 0 : 1;
}
catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync(e is InvalidOperationException or TimeoutException ? $"benchmark failed: {e.Message}" : $"benchmark failed: {e}");
    if (server is not null)
    {
        await Console.Error.WriteLineAsync("Last server output:\n  " + string.Join("\n  ", server.OutputTail()));
    }
    return 1;
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("benchmark cancelled");
    return 130;
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
    SqliteConnection.ClearAllPools();
    try
    {
        // UTMOST_BENCH_KEEP=1 leaves the data behind, to look into with the database's own tools.
        if (Environment.GetEnvironmentVariable("UTMOST_BENCH_KEEP") == "1")
        {
            Console.WriteLine($"data kept in {workDir}");
        }
        else
        {
            Directory.Delete(workDir, recursive: true);
        }
    }
    catch (IOException)
    {
        // A file still open (e.g. a killed server's WAL): leave the temp dir behind.
    }
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

// GET /marketing/metrics with the admin key; null when it cannot be read (the table says n/a).
static async Task<long?> MetricsTotalEventsAsync(ServerProcess server, CancellationToken cancellationToken)
{
    try
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        using var response = await client.GetAsync("marketing/metrics", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine($"  GET /marketing/metrics answered {(int)response.StatusCode}");
            return null;
        }
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.GetProperty("total_events").GetInt64();
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
    {
        Console.WriteLine($"  GET /marketing/metrics failed: {e.Message}");
        return null;
    }
}

// How many events were waiting for their sessions when the load stopped, and how long the builder took to finish them.
static async Task<SessionCatchUp> SessionCatchUpAsync(ServerProcess server, CancellationToken cancellationToken)
{
    using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    // A server from before sessions has no such gauge: nothing to wait for.
    async Task<long> BacklogAsync()
    {
        var text = await client.GetStringAsync("metrics", cancellationToken);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("utmost_session_backlog ", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line["utmost_session_backlog ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
    var stopwatch = System.Diagnostics.Stopwatch.StartNew();
    var atEnd = await BacklogAsync();
    // The gauge is as of the builder's last round, which may have read the table just before the last events.
    var zeroes = 0;
    while (zeroes < 3 && stopwatch.Elapsed < TimeSpan.FromMinutes(10))
    {
        await Task.Delay(250, cancellationToken);
        zeroes = await BacklogAsync() == 0 ? zeroes + 1 : 0;
    }
    return new SessionCatchUp(atEnd, Math.Max(0, stopwatch.Elapsed.TotalSeconds - 0.75));
}

// Read the server's own file after it stopped: the ground truth of what was committed.
static long CountRows(string databasePath)
{
    var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
    using var connection = new SqliteConnection(connectionString);
    connection.Open();
    using var command = connection.CreateCommand();
    command.CommandText = "SELECT COUNT(*) FROM marketing_events";
    return (long)command.ExecuteScalar()!;
}
