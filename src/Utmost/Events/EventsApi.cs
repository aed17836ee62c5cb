using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Hosting;
using Utmost.Sessions;
using Utmost.Tenancy;

namespace Utmost.Events;

/// <summary>Reading and deleting events, and the AEON enumerations.</summary>
public static class EventsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/marketing/events").WithTags("Events");
        group.MapGet("/", List).RequireAuthorization(Policies.Read);
        group.MapGet("/types", () => TypedResults.Ok(EventTypes.Documented)).RequireAuthorization(Policies.Read);
        group.MapGet("/sources", () => TypedResults.Ok(LeadSources.All)).RequireAuthorization(Policies.Read);
        group.MapGet("/{event_id}", Get).RequireAuthorization(Policies.Read);
        group.MapDelete("/{event_id}", Delete).RequireAuthorization(Policies.Write);
        return app;
    }

    public static async Task<Results<Ok<EventResponse[]>, ValidationProblem>> List(
        Caller caller, IEventStore store,
        string? tenant_id, string? event_type, string? utm_source, string? utm_campaign, string? lead_source,
        string? session_id, string? start_date, string? end_date, string? limit, string? offset,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        QueryParameters.CheckTenant(tenant_id, caller, errors);
        var (from, to) = QueryParameters.DateRange(start_date, end_date, caller.Tenant, errors);
        var filter = new EventFilter
        {
            EventType = QueryParameters.Text(event_type, "event_type", errors),
            UtmSource = QueryParameters.Text(utm_source, "utm_source", errors),
            UtmCampaign = QueryParameters.Text(utm_campaign, "utm_campaign", errors),
            LeadSource = QueryParameters.Text(lead_source, "lead_source", errors),
            SessionId = QueryParameters.Text(session_id, "session_id", errors),
            FromMs = from,
            ToMs = to,
            Limit = QueryParameters.Limit(limit, DefaultLimit, MaxLimit, errors),
            Offset = QueryParameters.Offset(offset, errors),
        };
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var events = await store.ListAsync(caller.Tenant, filter, cancellationToken);
        return TypedResults.Ok(events.Select(EventResponse.From).ToArray());
    }

    public static async Task<Results<Ok<EventResponse>, ProblemHttpResult>> Get(
        Caller caller, IEventStore store, string event_id, CancellationToken cancellationToken)
    {
        var found = await store.GetAsync(caller.Tenant, event_id, cancellationToken);
        return found is null ? Problems.NotFound("event", event_id) : TypedResults.Ok(EventResponse.From(found));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Caller caller, IEventStore store, SessionBuilder sessions, Query.AnalyticsCache analyticsCache, TimeProvider clock, string event_id,
        CancellationToken cancellationToken)
    {
        var found = await store.GetAsync(caller.Tenant, event_id, cancellationToken);
        var deleted = found is not null && await store.SoftDeleteAsync(caller.Tenant, event_id, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        if (deleted)
        {
            analyticsCache.Changed(caller.Tenant.Key);
        }
        if (deleted && found!.VisitorId is { } visitor)
        {
            // The visitor's sessions from that event on are built again without it.
            await sessions.TouchAsync(caller.Tenant.Key, visitor, found.CreatedAt, cancellationToken);
        }
        return deleted ? TypedResults.NoContent() : Problems.NotFound("event", event_id);
    }

    /// <summary>The body of an event as clients send it (documentation of the ingestion endpoints).</summary>
    public sealed record EventRequest(
        string EventType, string? EventId, string? Site, string? TenantId, string? EventName, string? PageUrl, string? ReferrerUrl,
        string? UtmSource, string? UtmMedium, string? UtmCampaign, string? UtmTerm, string? UtmContent, string? AdSource,
        string? LeadSource, string? UserAgent, string? IpAddress, string? SessionId, string? VisitorId, JsonElement? UserId, JsonElement? LeadId,
        JsonElement? Properties, JsonElement? Metadata, DateTimeOffset? Timestamp, string? OrderId, RevenueAmount? Revenue);

    /// <summary>A conversion's value: amount in an ISO 4217 currency (a bare amount with a top-level currency works too).</summary>
    public sealed record RevenueAmount(decimal Amount, string Currency);

    /// <summary>
    /// A stored event: the seed's MarketingEvent, plus the client's event_id, the server's receive time, and what
    /// ingestion derived (visitor, channel with normalised source and medium, device).
    /// </summary>
    public sealed record EventResponse(
        string Id, string TenantId, string? EventId, string EventType, string? EventName, string? PageUrl, string? ReferrerUrl,
        string? UtmSource, string? UtmMedium, string? UtmCampaign, string? UtmTerm, string? UtmContent, string? AdSource,
        string LeadSource, string? UserAgent, string? IpAddress, string? SessionId, JsonElement? UserId, JsonElement? LeadId,
        JsonElement Properties, JsonElement Metadata, DateTimeOffset CreatedAt, DateTimeOffset ReceivedAt, DateTimeOffset? DeletedAt,
        string? VisitorId, string? Channel, string? Source, string? Medium, string? DeviceType, string? Browser, string? Os, bool IsBot,
        string? OrderId, RevenueAmount? Revenue)
    {
        public static EventResponse From(MarketingEvent e) => new(
            e.Id, e.TenantId, e.EventId, e.EventType, e.EventName, e.PageUrl, e.ReferrerUrl,
            e.UtmSource, e.UtmMedium, e.UtmCampaign, e.UtmTerm, e.UtmContent, e.AdSource,
            e.LeadSource, e.UserAgent, e.IpAddress, e.SessionId, ToJson(e.UserId), ToJson(e.LeadId),
            JsonElement.Parse(e.PropertiesJson), JsonElement.Parse(e.MetadataJson),
            DateTimeOffset.FromUnixTimeMilliseconds(e.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(e.ReceivedAt),
            e.DeletedAt is { } deleted ? DateTimeOffset.FromUnixTimeMilliseconds(deleted) : null,
            e.VisitorId, e.Channel, e.Source, e.Medium, e.DeviceType, e.Browser, e.Os, e.IsBot,
            e.OrderId, e.Revenue is { } amount ? new RevenueAmount(amount, e.Currency!) : null);

        private static JsonElement? ToJson(ExternalId? id) => id switch
        {
            null => null,
            { IsNumber: true } number => JsonElement.Parse(number.Value),
            { } text => JsonSerializer.SerializeToElement(text.Value),
        };
    }
}
