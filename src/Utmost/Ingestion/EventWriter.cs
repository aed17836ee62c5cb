using System.Threading.Channels;
using Utmost.Core.Events;
using Utmost.Events;

namespace Utmost.Ingestion;

/// <summary>
/// Group commit: concurrent ingestion requests queue their events here; one loop writes everything queued
/// in a single transaction and completes each request only after that transaction has committed.
/// Throughput comes from sharing the commit (and its fsync), never from acknowledging early.
/// </summary>
public sealed partial class EventWriter(IEventStore store, ILogger<EventWriter> logger, Query.AnalyticsCache? analyticsCache = null) : BackgroundService
{
    /// <summary>Events per transaction at most: keeps one commit's latency bounded under heavy load.</summary>
    private const int MaxEventsPerCommit = 20_000;

    private sealed record Pending(IReadOnlyList<MarketingEvent> Events, TaskCompletionSource<IReadOnlyList<AppendResult>> Done);

    // Bounded, so a flood of requests waits for the disk instead of filling memory.
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(50_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Completes when the events are committed; throws when they could not be (nothing was acknowledged).</summary>
    public async Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<MarketingEvent> events, CancellationToken cancellationToken)
    {
        var pending = new Pending(events, new TaskCompletionSource<IReadOnlyList<AppendResult>>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // Not cancellable once queued: the write goes ahead, and a client that left simply misses the answer.
        return await pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>();
        var events = new List<MarketingEvent>();
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(reader, batch, events);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the web server has stopped taking requests; commit what was queued before it did.
            _queue.Writer.TryComplete();
            while (reader.TryPeek(out _))
            {
                await DrainAsync(reader, batch, events);
            }
        }
    }

    private async Task DrainAsync(ChannelReader<Pending> reader, List<Pending> batch, List<MarketingEvent> events)
    {
        batch.Clear();
        events.Clear();
        while (events.Count < MaxEventsPerCommit && reader.TryRead(out var pending))
        {
            batch.Add(pending);
            events.AddRange(pending.Events);
        }
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            var results = await store.AppendAsync(events, CancellationToken.None);
            analyticsCache?.Changed(events.Select(e => e.TenantKey));
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Done.SetResult(results.Skip(offset).Take(pending.Events.Count).ToArray());
                offset += pending.Events.Count;
            }
        }
        catch (Exception e)
        {
            Log.CommitFailed(logger, e, batch.Count, events.Count);
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(new EventStoreUnavailableException(e));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Committing {Requests} ingestion requests ({Events} events) failed; none was acknowledged")]
        public static partial void CommitFailed(ILogger logger, Exception exception, int requests, int events);
    }
}

/// <summary>The event store could not commit; the request is answered 503 and the client retries.</summary>
public sealed class EventStoreUnavailableException(Exception inner) : Exception("The event store is unavailable.", inner);
