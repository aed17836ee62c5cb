using Utmost.Core.Events;
using Utmost.Core.Sessions;

namespace Utmost.Sessions;

/// <summary>The events of one committed append: its rowids, and those of its events that belong to a session.</summary>
public sealed record CommittedEvents(long FirstRowid, long LastRowid, IReadOnlyList<(VisitorKey Visitor, SessionEvent Event)> Events);

/// <summary>
/// Hands the events ingestion has just committed to the session builder in memory, so that it need not read them
/// back from SQLite. Only a shortcut: the builder checks that what it takes follows on from its watermark, and reads
/// the table instead whenever the feed has a gap (after a restart, or after the feed overflowed and was emptied).
/// </summary>
public sealed class SessionFeed
{
    /// <summary>Beyond this many events waiting, the feed is emptied (the builder is behind and reads the table).</summary>
    public const int MaxEvents = 20_000;

    // A plain queue under a lock, not a ConcurrentQueue: peeking into a ConcurrentQueue makes it keep every item
    // it later dequeues until its whole segment is dropped, so events outlived a collection or two and cost every
    // request the garbage collector's time (bench/: 20 full collections in a run instead of 1).
    private readonly Queue<CommittedEvents> _queue = new();
    private int _events;

    public void Publish(long firstRowid, long lastRowid, IReadOnlyList<MarketingEvent> inserted)
    {
        var events = new List<(VisitorKey, SessionEvent)>(inserted.Count);
        foreach (var e in inserted)
        {
            if (e.VisitorId is not null && !e.IsBot)
            {
                events.Add((new VisitorKey(e.TenantKey, e.VisitorId), SessionEvent.From(e)));
            }
        }
        lock (_queue)
        {
            _events += inserted.Count;
            if (_events > MaxEvents)
            {
                _queue.Clear();
                _events = 0;
                return;
            }
            _queue.Enqueue(new CommittedEvents(firstRowid, lastRowid, events));
        }
        // Wake the builder at once: events it takes straight away die young, where events left waiting would
        // outlive a collection or two and cost every request the garbage collector's time (measured in bench/).
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _published.Release();
        }
    }

    private readonly SemaphoreSlim _published = new(0);
    private int _signalled;

    /// <summary>Waits until something is published or <paramref name="timeout"/> passes.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Reset first: a publish from here on signals again, so none is missed while waiting.
        Interlocked.Exchange(ref _signalled, 0);
        lock (_queue)
        {
            if (_queue.Count > 0)
            {
                return;
            }
        }
        await _published.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>The next committed append, if it starts right after <paramref name="watermark"/> and ends by <paramref name="ceiling"/>.</summary>
    public bool TryTakeNext(long watermark, long ceiling, out CommittedEvents next)
    {
        lock (_queue)
        {
            // Appends the builder already read from the table are dropped on the way.
            while (_queue.TryPeek(out var head) && head.LastRowid <= watermark)
            {
                Take();
            }
            if (_queue.TryPeek(out next!) && next.FirstRowid == watermark + 1 && next.LastRowid <= ceiling)
            {
                Take();
                return true;
            }
            return false;
        }
    }

    /// <summary>The first rowid the feed holds, if any: the table is read only up to it.</summary>
    public long? FirstRowid
    {
        get
        {
            lock (_queue)
            {
                return _queue.TryPeek(out var head) ? head.FirstRowid : null;
            }
        }
    }

    private void Take()
    {
        var taken = _queue.Dequeue();
        _events -= (int)(taken.LastRowid - taken.FirstRowid + 1);
    }
}
