using Utmost.Core.Channels;
using Utmost.Core.Common;
using Utmost.Core.Devices;
using Utmost.Core.Privacy;
using Utmost.Core.Visitors;

namespace Utmost.Core.Events;

/// <summary>
/// Turns a validated input into the stored event: channel, source and medium (and the lead source when absent),
/// device from the user agent, anonymised IP, times, id.
/// </summary>
public static class EventEnricher
{
    public static MarketingEvent Enrich(EventInput input, IngestionContext context)
    {
        var occurredAt = input.Timestamp ?? context.ReceivedAt;
        // A browser could claim any IP or agent in its body; only keyed server-side senders may speak for the user.
        var ip = context.Trusted && input.IpAddress is not null
            ? IpAnonymizer.Anonymize(input.IpAddress)
            : IpAnonymizer.Anonymize(context.ClientIp);
        var userAgent = context.Trusted && input.UserAgent is not null ? input.UserAgent : context.UserAgent ?? input.UserAgent;
        // The visitor's own address and agent: a keyed server-side sender's request carries its own (curl, an HTTP
        // library), which says nothing of the visitor's device and must not make every event it sends one visitor or a bot.
        var visitorIp = context.Trusted ? input.IpAddress : context.ClientIp?.ToString();
        var visitorAgent = context.Trusted ? input.UserAgent : userAgent;
        var traffic = ChannelClassifier.Classify(new ChannelInput(input.UtmSource, input.UtmMedium, input.UtmCampaign, input.ReferrerUrl, input.PageUrl), context.ChannelRules);
        var device = UserAgentClassifier.Classify(visitorAgent);
        return new MarketingEvent
        {
            Id = Ids.New(occurredAt),
            TenantId = context.TenantId,
            TenantKey = context.TenantKey,
            EventId = input.EventId,
            EventType = input.EventType,
            EventName = input.EventName,
            PageUrl = input.PageUrl,
            ReferrerUrl = input.ReferrerUrl,
            UtmSource = input.UtmSource,
            UtmMedium = input.UtmMedium,
            UtmCampaign = input.UtmCampaign,
            UtmTerm = input.UtmTerm,
            UtmContent = input.UtmContent,
            AdSource = input.AdSource,
            LeadSource = string.IsNullOrEmpty(input.LeadSource) ? traffic.LeadSource : input.LeadSource,
            UserAgent = userAgent is null ? null : TextRules.Truncate(TextRules.Sanitize(userAgent), EventLimits.UserAgent),
            IpAddress = ip,
            SessionId = input.SessionId,
            UserId = input.UserId,
            LeadId = input.LeadId,
            OrderId = input.OrderId,
            Revenue = input.Revenue,
            Currency = input.Revenue is null ? null : input.Currency,
            PropertiesJson = input.PropertiesJson,
            MetadataJson = input.MetadataJson,
            CreatedAt = occurredAt.ToUnixTimeMilliseconds(),
            ReceivedAt = context.ReceivedAt.ToUnixTimeMilliseconds(),
            // The full address is hashed (with the day's salt) before it is anonymised for storage.
            VisitorId = input.VisitorId
                ?? (context.VisitorSalt is { } salt ? CookielessVisitorId.For(salt, context.TenantId, visitorIp, visitorAgent) : null),
            Channel = traffic.Channel,
            Source = traffic.Source,
            Medium = traffic.Medium,
            DeviceType = device.DeviceType,
            Browser = device.Browser,
            Os = device.Os,
            IsBot = device.IsBot,
        };
    }
}
