using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Utmost.Bench;

/// <summary>What one measured window of a scenario produced.</summary>
internal sealed record ScenarioResult(
    string Name, int Connections, TimeSpan Elapsed, long Requests, long Errors, long AcceptedEvents,
    double P50Ms, double P99Ms, double MaxMs, double ServerCpuPercent, double BenchCpuPercent,
    IReadOnlyDictionary<string, long> ErrorKinds)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    public double EventsPerSecond => AcceptedEvents / Elapsed.TotalSeconds;
}

/// <summary>
/// A closed-loop load: <c>connections</c> workers, each with one request in flight, POSTing pre-serialised bodies
/// for a fixed time. Only a 201 counts as accepted; everything else (other statuses, exceptions) is an error.
/// </summary>
internal sealed class LoadScenario(string name, Uri baseAddress, string path, byte[][] bodies, int eventsPerBody, int connections)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Every event the server acknowledged, warm-up included: what the database must hold afterwards.</summary>
    public long AcknowledgedEvents => Interlocked.Read(ref _acknowledgedEvents);

    private long _acknowledgedEvents;

    public async Task<ScenarioResult> RunAsync(TimeSpan warmup, TimeSpan duration, ServerProcess server, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(EventCorpus.UserAgent);

        if (warmup > TimeSpan.Zero)
        {
            await RunWindowAsync(client, warmup, cancellationToken);
        }
        var serverCpu = server.CpuTime();
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var window = await RunWindowAsync(client, duration, cancellationToken);
        var serverCpuUsed = server.CpuTime() - serverCpu;
        var benchCpuUsed = Process.GetCurrentProcess().TotalProcessorTime - benchCpu;

        var latencies = window.Workers.SelectMany(w => w.LatencyTicks).ToArray();
        Array.Sort(latencies);
        var errorKinds = new Dictionary<string, long>();
        foreach (var (kind, count) in window.Workers.SelectMany(w => w.ErrorKinds))
        {
            errorKinds[kind] = errorKinds.GetValueOrDefault(kind) + count;
        }
        var accepted = window.Workers.Sum(w => w.Accepted);
        return new ScenarioResult(
            name, connections, window.Elapsed,
            Requests: latencies.Length,
            Errors: window.Workers.Sum(w => w.Errors),
            AcceptedEvents: accepted * eventsPerBody,
            P50Ms: Percentile(latencies, 0.50),
            P99Ms: Percentile(latencies, 0.99),
            MaxMs: latencies.Length == 0 ? 0 : TicksToMs(latencies[^1]),
            ServerCpuPercent: 100 * serverCpuUsed.TotalSeconds / window.Elapsed.TotalSeconds,
            BenchCpuPercent: 100 * benchCpuUsed.TotalSeconds / window.Elapsed.TotalSeconds,
            errorKinds);
    }

    private sealed class Worker
    {
        public List<long> LatencyTicks { get; } = new(16_384);
        public Dictionary<string, long> ErrorKinds { get; } = [];
        public long Accepted { get; set; }
        public long Errors { get; set; }
    }

    private sealed record Window(Worker[] Workers, TimeSpan Elapsed);

    private async Task<Window> RunWindowAsync(HttpClient client, TimeSpan duration, CancellationToken cancellationToken)
    {
        var workers = new Worker[connections];
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = new Task[connections];
        for (var w = 0; w < connections; w++)
        {
            var worker = workers[w] = new Worker();
            // Each worker starts at its own place in the corpus so concurrent requests carry different events.
            var next = w * bodies.Length / connections;
            tasks[w] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
                {
                    var body = bodies[next];
                    next = (next + 1) % bodies.Length;
                    await SendAsync(client, body, worker, cancellationToken);
                }
            }, cancellationToken);
        }
        await Task.WhenAll(tasks);
        // Requests in flight at the deadline finish and count, so the window ends when the last one does.
        return new Window(workers, Stopwatch.GetElapsedTime(started));
    }

    private async Task SendAsync(HttpClient client, byte[] body, Worker worker, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        var sent = Stopwatch.GetTimestamp();
        string? error = null;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                worker.Accepted++;
                Interlocked.Add(ref _acknowledgedEvents, eventsPerBody);
            }
            else
            {
                error = $"HTTP {(int)response.StatusCode}";
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            error = e.GetType().Name;
        }
        worker.LatencyTicks.Add(Stopwatch.GetTimestamp() - sent);
        if (error is not null)
        {
            worker.Errors++;
            worker.ErrorKinds[error] = worker.ErrorKinds.GetValueOrDefault(error) + 1;
        }
    }

    private static double Percentile(long[] sortedTicks, double quantile)
    {
        if (sortedTicks.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(quantile * sortedTicks.Length) - 1;
        return TicksToMs(sortedTicks[Math.Clamp(rank, 0, sortedTicks.Length - 1)]);
    }

    private static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
