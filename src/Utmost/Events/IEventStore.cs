using Utmost.Core.Events;
using Utmost.Tenancy;

namespace Utmost.Events;

/// <summary>The outcome of appending one event: its stored id, and whether an event with its event_id was already stored.</summary>
public readonly record struct AppendResult(string Id, bool Duplicate);

/// <summary>Filters of GET /marketing/events; times are inclusive UTC epoch milliseconds.</summary>
public sealed record EventFilter
{
    public string? EventType { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmCampaign { get; init; }
    public string? LeadSource { get; init; }
    public string? SessionId { get; init; }
    public long? FromMs { get; init; }
    public long? ToMs { get; init; }
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }
}

/// <summary>
/// Where events live. Implementations exist per engine; the SQL of each stays within what every engine
/// (SQLite, ClickHouse 18.16, PostgreSQL) can run: no FILTER clauses, window functions or time zone functions.
/// </summary>
public interface IEventStore
{
    /// <summary>Appends all events in one transaction; returns once they are durable.</summary>
    Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<MarketingEvent> events, CancellationToken cancellationToken);

    Task<MarketingEvent?> GetAsync(Tenant tenant, string id, CancellationToken cancellationToken);

    /// <summary>Newest first, without soft-deleted events.</summary>
    Task<IReadOnlyList<MarketingEvent>> ListAsync(Tenant tenant, EventFilter filter, CancellationToken cancellationToken);

    /// <summary>Marks an event deleted; false when it does not exist or is already deleted.</summary>
    Task<bool> SoftDeleteAsync(Tenant tenant, string id, long deletedAtMs, CancellationToken cancellationToken);

    Task<bool> IsHealthyAsync(CancellationToken cancellationToken);

    /// <summary>Retention: removes every event (all tenants) created before <paramref name="monthStartMs"/>, the first instant of a UTC month.</summary>
    Task DropBeforeMonthAsync(long monthStartMs, CancellationToken cancellationToken);
}
