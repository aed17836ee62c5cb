namespace Utmost.Core.Events;

/// <summary>An event as stored: validated, enriched, owned by a tenant. Times are UTC epoch milliseconds.</summary>
public sealed record MarketingEvent
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }

    /// <summary>The tenant's internal storage key (see the tenants table); never shown in the API.</summary>
    public long TenantKey { get; init; }

    public string? EventId { get; init; }
    public required string EventType { get; init; }
    public string? EventName { get; init; }
    public string? PageUrl { get; init; }
    public string? ReferrerUrl { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmMedium { get; init; }
    public string? UtmCampaign { get; init; }
    public string? UtmTerm { get; init; }
    public string? UtmContent { get; init; }
    public string? AdSource { get; init; }
    public required string LeadSource { get; init; }
    public string? UserAgent { get; init; }
    public string? IpAddress { get; init; }
    public string? SessionId { get; init; }
    public ExternalId? UserId { get; init; }
    public ExternalId? LeadId { get; init; }
    public string? OrderId { get; init; }
    public decimal? Revenue { get; init; }
    public string? Currency { get; init; }
    public string PropertiesJson { get; init; } = "{}";
    public string MetadataJson { get; init; } = "{}";
    public long CreatedAt { get; init; }
    public long ReceivedAt { get; init; }
    public long? DeletedAt { get; init; }

    public string? VisitorId { get; init; }

    /// <summary>The GA4 default channel group (or the tenant's own channel); null for events stored before channels existed.</summary>
    public string? Channel { get; init; }

    /// <summary>The normalised source and medium the channel was decided on (<c>google</c> / <c>cpc</c>).</summary>
    public string? Source { get; init; }

    public string? Medium { get; init; }
    public string? DeviceType { get; init; }
    public string? Browser { get; init; }
    public string? Os { get; init; }

    /// <summary>Sent by a bot or crawler: stored, but left out of metrics.</summary>
    public bool IsBot { get; init; }
}

/// <summary>What the server knows of the request an event came in, beyond its body.</summary>
/// <param name="Trusted">true for server-side senders with an API key: they may state the end user's IP and user agent.</param>
/// <param name="ChannelRules">The tenant's own channel rules, tried before GA4's defaults.</param>
/// <param name="VisitorSalt">Today's salt when the tenant counts visitors without a visitor_id by a cookieless id.</param>
public sealed record IngestionContext(string TenantId, long TenantKey, System.Net.IPAddress? ClientIp, string? UserAgent, bool Trusted,
    DateTimeOffset ReceivedAt, IReadOnlyList<Channels.ChannelRule>? ChannelRules = null, byte[]? VisitorSalt = null);
