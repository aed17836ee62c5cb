using Utmost.Core.Sessions;

namespace Utmost.Sessions;

/// <summary>One visitor of one tenant.</summary>
public readonly record struct VisitorKey(long TenantKey, string VisitorId);

/// <summary>Filters of GET /api/sessions; times are inclusive UTC epoch milliseconds of the session's start.</summary>
public sealed record SessionFilter
{
    public long? FromMs { get; init; }
    public long? ToMs { get; init; }
    public string? Channel { get; init; }
    public bool? Converted { get; init; }
    public string? VisitorId { get; init; }
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }
}

/// <summary>
/// Where sessions live: beside the events they are built from (SQLite or ClickHouse). The builder reads and writes
/// through the first three calls; the API reads through the rest. Every call is scoped to tenants by key.
/// </summary>
public interface ISessionStore
{
    /// <summary>For each visitor, the start and end of their stored sessions that began at or after the given time.</summary>
    Task<Dictionary<VisitorKey, List<(long Start, long End)>>> SessionSpansAsync(IReadOnlyDictionary<VisitorKey, long> since, CancellationToken cancellationToken);

    /// <summary>
    /// For each visitor, their stored events (not deleted, not bots) from the given time on, in (time, id) order.
    /// <paramref name="localRowidAtMost"/> leaves out events stored locally after that rowid, where the store can
    /// tell (the embedded one); see <see cref="ReadsUpToLocalRowid"/>.
    /// </summary>
    Task<Dictionary<VisitorKey, List<SessionEvent>>> EventsAsync(IReadOnlyDictionary<VisitorKey, long> from, long? localRowidAtMost,
        CancellationToken cancellationToken);

    /// <summary>Whether <see cref="EventsAsync"/> honours its rowid bound (the events are in this instance's SQLite).</summary>
    bool ReadsUpToLocalRowid { get; }

    /// <summary>
    /// Removes each visitor's sessions that began at or after the given time, then stores <paramref name="sessions"/>,
    /// replacing any stored session with the same id (so a session that went on is simply written again).
    /// </summary>
    /// <param name="version">Rises with every call, across instances: where versions decide (ClickHouse), the latest build wins.</param>
    Task ReplaceAsync(IReadOnlyDictionary<VisitorKey, long> from, IReadOnlyList<Session> sessions, long version, CancellationToken cancellationToken);

    /// <summary>Retention: removes the sessions (all tenants) that began before <paramref name="monthStartMs"/>.</summary>
    Task DropBeforeMonthAsync(long monthStartMs, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<Session>> ListAsync(long tenantKey, SessionFilter filter, CancellationToken cancellationToken);

    /// <summary>Every session of these visitors, oldest first.</summary>
    Task<IReadOnlyList<Session>> OfVisitorsAsync(long tenantKey, IReadOnlyCollection<string> visitorIds, CancellationToken cancellationToken);

    /// <summary>
    /// Events of <paramref name="eventTypes"/> sent by these visitors or carrying <paramref name="userId"/>, oldest first,
    /// each with its visitor: a person's candidate conversions.
    /// </summary>
    Task<IReadOnlyList<(SessionEvent Event, string? VisitorId)>> EventsOfPersonAsync(long tenantKey, IReadOnlyCollection<string> visitorIds,
        string? userId, IReadOnlyCollection<string> eventTypes, CancellationToken cancellationToken);

    /// <summary>The tenant's events of <paramref name="eventTypes"/> created from <paramref name="fromMs"/> to <paramref name="toMs"/> (inclusive), oldest first.</summary>
    Task<IReadOnlyList<(SessionEvent Event, string? VisitorId)>> EventsOfTypesAsync(long tenantKey, long fromMs, long toMs,
        IReadOnlyCollection<string> eventTypes, CancellationToken cancellationToken);

    /// <summary>The visitors whose events carried <paramref name="userId"/>: linked by the events themselves.</summary>
    Task<IReadOnlyList<string>> VisitorsOfUserAsync(long tenantKey, string userId, CancellationToken cancellationToken);
}

public static class SessionStoreExtensions
{
    /// <summary>Every session of the tenant that began from <paramref name="fromMs"/> to <paramref name="toMs"/> (inclusive), oldest first.</summary>
    public static async Task<IReadOnlyList<Session>> InRangeAsync(this ISessionStore store, long tenantKey, long fromMs, long toMs,
        CancellationToken cancellationToken)
    {
        var newestFirst = await store.ListAsync(tenantKey, new SessionFilter { FromMs = fromMs, ToMs = toMs, Limit = int.MaxValue }, cancellationToken);
        return newestFirst.Reverse().ToList();
    }
}
