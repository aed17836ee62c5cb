namespace Utmost.Core.Sessions;

/// <summary>What the session builder reads of a stored event. Times are UTC epoch milliseconds.</summary>
public sealed record SessionEvent
{
    public required string Id { get; init; }
    public long CreatedAt { get; init; }
    public required string EventType { get; init; }
    public string? PageUrl { get; init; }
    public string? ReferrerUrl { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmMedium { get; init; }
    public string? UtmCampaign { get; init; }
    public string? UtmContent { get; init; }
    public string? UtmTerm { get; init; }
    public string? Channel { get; init; }
    public string? LeadSource { get; init; }
    public string? Source { get; init; }
    public string? Medium { get; init; }
    public string? DeviceType { get; init; }
    public string? Browser { get; init; }
    public string? Os { get; init; }
    public string? UserId { get; init; }
    public string PropertiesJson { get; init; } = "{}";
    public string? OrderId { get; init; }
    public long? RevenueMicros { get; init; }
    public string? Currency { get; init; }

    /// <summary>What the builder needs of an event as ingestion stored it.</summary>
    public static SessionEvent From(Events.MarketingEvent e) => new()
    {
        Id = e.Id,
        CreatedAt = e.CreatedAt,
        EventType = e.EventType,
        PageUrl = e.PageUrl,
        ReferrerUrl = e.ReferrerUrl,
        UtmSource = e.UtmSource,
        UtmMedium = e.UtmMedium,
        UtmCampaign = e.UtmCampaign,
        UtmContent = e.UtmContent,
        UtmTerm = e.UtmTerm,
        Channel = e.Channel,
        LeadSource = e.LeadSource,
        Source = e.Source,
        Medium = e.Medium,
        DeviceType = e.DeviceType,
        Browser = e.Browser,
        Os = e.Os,
        UserId = e.UserId?.Value,
        PropertiesJson = e.PropertiesJson,
        OrderId = e.OrderId,
        RevenueMicros = e.Revenue is { } revenue ? Common.Money.ToMicros(revenue) : null,
        Currency = e.Revenue is null ? null : e.Currency,
    };
}

/// <summary>
/// A visit (Glamlink's MarketingSession): the events of one visitor with no pause of <see cref="SessionRules.Timeout"/>
/// and one traffic source. Its id is the id of its first event; the first conversion in it is kept in detail.
/// </summary>
public sealed record Session
{
    public required long TenantKey { get; init; }
    public required string VisitorId { get; init; }
    public required string SessionId { get; init; }
    public long StartedAt { get; init; }
    public long EndedAt { get; init; }

    /// <summary>What identifies the traffic source (source, medium, campaign, content, term); empty when direct or internal.</summary>
    public required string TrafficKey { get; init; }

    public required string Channel { get; init; }
    public required string LeadSource { get; init; }
    public string? Source { get; init; }
    public string? Medium { get; init; }
    public string? Campaign { get; init; }
    public string? Content { get; init; }
    public string? Term { get; init; }

    /// <summary>The click id parameter the landing URL carried (gclid, fbclid, …), not its value.</summary>
    public string? ClickId { get; init; }

    public string? Referrer { get; init; }

    /// <summary>The referring site's host; null without a referrer or when it was the site itself.</summary>
    public string? ReferrerDomain { get; init; }

    public string? LandingPage { get; init; }
    public string? ExitPage { get; init; }

    /// <summary>The type of the event that opened the session: the touchpoint's type in a journey.</summary>
    public required string FirstEventType { get; init; }

    public string? DeviceType { get; init; }
    public string? Browser { get; init; }
    public string? Os { get; init; }

    /// <summary>The last user id the session's events carried.</summary>
    public string? UserId { get; init; }

    public int PageViews { get; init; }
    public int Events { get; init; }

    /// <summary>Conversions in the session, an order counted once.</summary>
    public int Conversions { get; init; }

    public bool Converted => Conversions > 0;

    /// <summary>The goal of the session's first conversion, with that conversion's value and order.</summary>
    public string? ConversionType { get; init; }

    public long? ConversionValueMicros { get; init; }
    public string? Currency { get; init; }
    public string? OrderId { get; init; }

    /// <summary>What the session's conversions were worth (an order once), in the currency of the first with a value; others are left out.</summary>
    public long RevenueMicros { get; init; }

    public string? RevenueCurrency { get; init; }

    /// <summary>The conversions <see cref="RevenueMicros"/> adds up: what an average order value divides by.</summary>
    public int Orders { get; init; }

    /// <summary>The session's <c>lead_created</c> events.</summary>
    public int Leads { get; init; }

    public long DurationMs => EndedAt - StartedAt;
}
