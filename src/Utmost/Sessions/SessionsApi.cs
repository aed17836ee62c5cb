using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Conversions;
using Utmost.Core.Sessions;
using Utmost.Hosting;
using Utmost.Identity;
using Utmost.Tenancy;

namespace Utmost.Sessions;

/// <summary>Sessions (Glamlink's SessionService) and journeys (AquaScene's GET /journeys/{user_id}).</summary>
public static class SessionsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sessions", List).WithTags("Sessions").RequireAuthorization(Policies.Read)
            .WithSummary("Sessions that began in a date range, newest first; filter by channel and whether they converted");
        app.MapGet("/api/v1/analytics/journeys/{user_id}", Journey).WithTags("Sessions").RequireAuthorization(Policies.Read)
            .WithSummary("A person's journeys across every visitor linked to them: touchpoints, conversions, first and last touch");
        return app;
    }

    /// <summary>A session as the API shows it: Glamlink's MarketingSession, duration in seconds.</summary>
    public sealed record SessionResponse(
        string Id, string VisitorId, string? UserId, string Channel, string LeadSource, string? Source, string? Medium, string? Campaign,
        string? Content, string? Term, string? ClickId, string? Referrer, string? ReferrerDomain, string? LandingPage, string? ExitPage,
        DateTimeOffset StartedAt, DateTimeOffset EndedAt, long Duration, int PageViews, int Events, bool Converted, int Conversions,
        string? ConversionType, decimal? ConversionValue, string? Currency, string? OrderId, string? DeviceType, string? Browser, string? Os)
    {
        public static SessionResponse From(Session s) => new(
            s.SessionId, s.VisitorId, s.UserId, s.Channel, s.LeadSource, s.Source, s.Medium, s.Campaign, s.Content, s.Term, s.ClickId,
            s.Referrer, s.ReferrerDomain, s.LandingPage, s.ExitPage, Time(s.StartedAt), Time(s.EndedAt), s.DurationMs / 1000, s.PageViews,
            s.Events, s.Converted, s.Conversions, s.ConversionType, Amount(s.ConversionValueMicros), s.Currency, s.OrderId, s.DeviceType,
            s.Browser, s.Os);
    }

    public sealed record TouchpointResponse(DateTimeOffset Timestamp, string Channel, string? Source, string? Medium, string? Campaign,
        string? LandingPage, string TouchpointType, string SessionId, string VisitorId, string? DeviceType);

    public sealed record ConversionResponse(string EventId, DateTimeOffset Timestamp, string Goal, string EventType, decimal? Value,
        string? Currency, string? OrderId, string? VisitorId);

    public sealed record JourneyResponse(DateTimeOffset JourneyStart, DateTimeOffset JourneyEnd, long JourneyDurationMinutes,
        int TotalTouchpoints, string? FirstTouchChannel, string? LastTouchChannel, ConversionResponse? Conversion, TouchpointResponse[] Touchpoints);

    public sealed record PersonJourneysResponse(string UserId, string[] Visitors, int TotalConversions, JourneyResponse[] Journeys);

    public static async Task<Results<Ok<SessionResponse[]>, ValidationProblem>> List(
        Caller caller, ISessionStore store, SessionBuilder builder, string? start_date, string? end_date, string? channel, string? converted,
        string? visitor_id, string? limit, string? offset, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (from, to) = QueryParameters.DateRange(start_date, end_date, caller.Tenant, errors);
        bool? convertedFilter = converted switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => Invalid(errors, "converted", "must be true or false"),
        };
        var filter = new SessionFilter
        {
            FromMs = from,
            ToMs = to,
            Channel = QueryParameters.Text(channel, "channel", errors),
            Converted = convertedFilter,
            VisitorId = QueryParameters.Text(visitor_id, "visitor_id", errors),
            Limit = QueryParameters.Limit(limit, DefaultLimit, MaxLimit, errors),
            Offset = QueryParameters.Offset(offset, errors),
        };
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        await builder.CatchUpAsync(cancellationToken);
        var sessions = await store.ListAsync(caller.Tenant.Key, filter, cancellationToken);
        return TypedResults.Ok(sessions.Select(SessionResponse.From).ToArray());
    }

    public static async Task<Results<Ok<PersonJourneysResponse>, ValidationProblem>> Journey(
        Caller caller, ISessionStore store, IIdentityStore identities, SessionBuilder builder, string user_id, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(user_id) || QueryParameters.Text(user_id, "user_id", errors) is null)
        {
            errors.Add("user_id", "must name a person: the user_id given to POST /api/identify or sent with events");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        await builder.CatchUpAsync(cancellationToken);
        var tenant = caller.Tenant;
        // Visitors linked by identify, and those whose own events carried the user id.
        var linked = await identities.VisitorsOfAsync(tenant.Id, PersonKey.UserId, user_id, cancellationToken);
        var visitors = linked.Select(l => l.VisitorId)
            .Concat(await store.VisitorsOfUserAsync(tenant.Key, user_id, cancellationToken))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var sessions = await store.OfVisitorsAsync(tenant.Key, visitors, cancellationToken);
        var goals = tenant.Goals;
        var candidates = await store.EventsOfPersonAsync(tenant.Key, visitors, user_id, goals.Select(g => g.EventType).Distinct().ToArray(), cancellationToken);
        var conversions = Journeys.ConversionsOf(candidates, goals);
        var journeys = Journeys.Build(sessions, conversions, builder.Timeout);
        return TypedResults.Ok(new PersonJourneysResponse(user_id, visitors, journeys.Count(j => j.Conversion is not null),
            journeys.Select(ToResponse).ToArray()));
    }

    private static JourneyResponse ToResponse(Journey j) => new(
        Time(j.StartedAt), Time(j.EndedAt), j.DurationMs / 60_000, j.Touchpoints.Count, j.FirstTouchChannel, j.LastTouchChannel,
        j.Conversion is { } c ? new ConversionResponse(c.EventId, Time(c.At), c.Goal, c.EventType, Amount(c.ValueMicros), c.Currency, c.OrderId, c.VisitorId) : null,
        j.Touchpoints.Select(t => new TouchpointResponse(Time(t.At), t.Channel, t.Source, t.Medium, t.Campaign, t.LandingPage, t.Type,
            t.SessionId, t.VisitorId, t.DeviceType)).ToArray());

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static decimal? Amount(long? micros) => micros is { } m ? Money.FromMicros(m) : null;

    private static bool? Invalid(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return null;
    }
}
