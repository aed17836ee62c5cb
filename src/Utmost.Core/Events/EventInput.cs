namespace Utmost.Core.Events;

/// <summary>An id from the caller's own system (a lead or user id), kept as given: a JSON integer or a string.</summary>
public readonly record struct ExternalId(string Value, bool IsNumber);

/// <summary>One event as a client sent it, after validation and before enrichment.</summary>
public sealed record EventInput
{
    public string? EventId { get; set; }
    public string? Site { get; set; }

    /// <summary>The seed's tenant_id column: optional, and when sent it must name the tenant the event goes to.</summary>
    public string? TenantId { get; set; }

    public string EventType { get; set; } = "";
    public string? EventName { get; set; }
    public string? PageUrl { get; set; }
    public string? ReferrerUrl { get; set; }
    public string? UtmSource { get; set; }
    public string? UtmMedium { get; set; }
    public string? UtmCampaign { get; set; }
    public string? UtmTerm { get; set; }
    public string? UtmContent { get; set; }
    public string? AdSource { get; set; }
    public string? LeadSource { get; set; }
    public string? UserAgent { get; set; }
    public string? IpAddress { get; set; }
    public string? SessionId { get; set; }

    /// <summary>The tracker's anonymous visitor id.</summary>
    public string? VisitorId { get; set; }
    public ExternalId? UserId { get; set; }
    public ExternalId? LeadId { get; set; }

    /// <summary>The order a conversion belongs to: however often it is sent, it counts once.</summary>
    public string? OrderId { get; set; }

    /// <summary>The conversion's value, in <see cref="Currency"/>, to the micro-unit.</summary>
    public decimal? Revenue { get; set; }

    /// <summary>An ISO 4217 code in upper case.</summary>
    public string? Currency { get; set; }
    public string PropertiesJson { get; set; } = "{}";
    public string MetadataJson { get; set; } = "{}";
    public DateTimeOffset? Timestamp { get; set; }
}
