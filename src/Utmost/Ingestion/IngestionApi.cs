using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Events;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Ingestion;

/// <summary>
/// POST /marketing/event and POST /marketing/events: public, tenant-scoped ingestion. A 2xx answer means the
/// events are committed to disk.
/// </summary>
public static class IngestionApi
{
    public const int SingleEventBodyBytes = 256 * 1024;
    public const int BatchBodyBytes = 32 * 1024 * 1024;

    public sealed record BatchResponse(int Accepted, IReadOnlyList<string> Ids);

    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/marketing").WithTags("Ingestion").AllowAnonymous();
        group.MapPost("/event", LogEvent)
            .Accepts<EventsApi.EventRequest>("application/json", "text/plain")
            .WithSummary("Log one event (tenant named by site key, API key, or the only tenant)");
        group.MapPost("/events", CreateEvents)
            .Accepts<EventsApi.EventRequest[]>("application/json", "text/plain")
            .WithSummary("Create one event, or up to 10,000 given as a JSON array");
        // Browsers ask before sending JSON from another origin; the tenant's own origins are checked when the events come.
        group.MapMethods("/event", [HttpMethods.Options], Preflight).ExcludeFromDescription();
        group.MapMethods("/events", [HttpMethods.Options], Preflight).ExcludeFromDescription();
        return app;
    }

    private static IResult Preflight(HttpContext context)
    {
        AllowOrigin(context);
        context.Response.Headers.AccessControlAllowMethods = "POST";
        context.Response.Headers.AccessControlAllowHeaders = "Content-Type";
        context.Response.Headers.AccessControlMaxAge = "86400";
        return Results.NoContent();
    }

    /// <summary>Lets the page that sent the request read the answer (problem details included).</summary>
    public static void AllowOrigin(HttpContext context)
    {
        if (context.Request.Headers.Origin.Count > 0)
        {
            context.Response.Headers.AccessControlAllowOrigin = context.Request.Headers.Origin.ToString();
            context.Response.Headers.Vary = "Origin";
        }
    }

    public static Task<IResult> LogEvent(HttpContext context, string? site, IngestionService ingestion, CancellationToken cancellationToken) =>
        ingestion.IngestAsync(context, site, allowArray: false, SingleEventBodyBytes, cancellationToken);

    public static Task<IResult> CreateEvents(HttpContext context, string? site, IngestionService ingestion, CancellationToken cancellationToken) =>
        ingestion.IngestAsync(context, site, allowArray: true, BatchBodyBytes, cancellationToken);
}

/// <summary>The steps of one ingestion request: read, validate, find the tenant, enrich, commit, answer.</summary>
public sealed class IngestionService(TenantDirectory directory, EventWriter writer, IEventStore store, VisitorSalts salts, TimeProvider clock)
{
    public async Task<IResult> IngestAsync(HttpContext context, string? siteFromQuery, bool allowArray, int limit, CancellationToken cancellationToken)
    {
        var request = context.Request;
        IngestionApi.AllowOrigin(context);
        if (!JsonBody.HasJsonContentType(request, allowTextPlain: true))
        {
            return JsonBody.UnsupportedMediaType(allowTextPlain: true);
        }
        var (body, tooLarge) = await JsonBody.ReadAsync(request, limit, cancellationToken);
        if (body is null)
        {
            return tooLarge!;
        }
        var now = clock.GetUtcNow();
        EventParser.Result parsed;
        using (body)
        {
            parsed = EventParser.Parse(body.Memory, allowArray, now);
        }
        if (!parsed.Errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(parsed.Errors.ToDictionary(), title: "The events were rejected; nothing was stored.");
        }

        var (tenant, trusted, problem) = await ResolveTenantAsync(context, siteFromQuery, parsed, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (TenantMismatch(parsed, tenant!) is { } mismatch)
        {
            return mismatch;
        }
        if (request.Headers.Origin.Count > 0 && !WebOrigins.Allows(tenant!, request.Headers.Origin.ToString()))
        {
            context.Response.Headers.Remove("Access-Control-Allow-Origin");
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"Pages of '{request.Headers.Origin}' may not send this tenant's events: it is not among the tenant's allowed_origins.");
        }
        var ingestion = new IngestionContext(tenant!.Id, tenant.Key, context.Connection.RemoteIpAddress,
            request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null, trusted, now,
            ChannelRulesJson.ChannelRulesOf(tenant),
            tenant.CookielessVisitors && parsed.Events.Any(e => e.VisitorId is null) ? await salts.TodayAsync(cancellationToken) : null);
        var events = new MarketingEvent[parsed.Events.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = EventEnricher.Enrich(parsed.Events[i], ingestion);
        }

        IReadOnlyList<AppendResult> results;
        try
        {
            results = await writer.AppendAsync(events, cancellationToken);
        }
        catch (EventStoreUnavailableException)
        {
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable",
                detail: "The events could not be stored and were not accepted; retry later.");
        }

        if (!parsed.WasArray)
        {
            var stored = results[0].Duplicate ? await store.GetAsync(tenant, results[0].Id, cancellationToken) ?? events[0] : events[0];
            // A retry with the same event_id gets the first answer again, including the original id and times.
            return TypedResults.Created($"/marketing/events/{stored.Id}", EventsApi.EventResponse.From(stored));
        }
        return TypedResults.Created((string?)null, new IngestionApi.BatchResponse(results.Count, results.Select(r => r.Id).ToArray()));
    }

    /// <summary>An event that states a tenant_id must state the tenant it is going to (its id or slug).</summary>
    private static ValidationProblem? TenantMismatch(EventParser.Result parsed, Tenant tenant)
    {
        var errors = new ValidationErrors();
        for (var i = 0; i < parsed.Events.Count; i++)
        {
            if (parsed.Events[i].TenantId is { } stated && stated != tenant.Id && stated != tenant.Slug)
            {
                errors.Add(parsed.WasArray ? $"[{i}].tenant_id" : "tenant_id", "does not name the tenant of the site key or API key");
            }
        }
        return errors.IsEmpty ? null : TypedResults.ValidationProblem(errors.ToDictionary());
    }

    private async Task<(Tenant? Tenant, bool Trusted, IResult? Problem)> ResolveTenantAsync(
        HttpContext context, string? siteFromQuery, EventParser.Result parsed, CancellationToken cancellationToken)
    {
        var events = parsed.Events;
        var errors = new ValidationErrors();
        string? site = siteFromQuery;
        if (site is not null && TextRules.Check(site, EventLimits.SiteKey) is not null)
        {
            errors.Add("site", "is not a valid site key");
            return (null, false, TypedResults.ValidationProblem(errors.ToDictionary()));
        }
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Site is not { } itemSite)
            {
                continue;
            }
            if (site is not null && site != itemSite)
            {
                errors.Add(parsed.WasArray ? $"[{i}].site" : "site", "all events of one request must name the same site");
                return (null, false, TypedResults.ValidationProblem(errors.ToDictionary()));
            }
            site = itemSite;
        }

        Tenant? keyTenant = null;
        if (ApiKeyAuthenticationHandler.BearerToken(context.Request) is { } key)
        {
            var owner = await directory.FindByKeyAsync(key, cancellationToken);
            if (owner is null)
            {
                return (null, false, TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                    detail: "Unknown or revoked API key."));
            }
            if (!Roles.CanIngest(owner.Role))
            {
                return (null, false, TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: $"A '{owner.Role}' key cannot send events."));
            }
            keyTenant = owner.Tenant;
        }

        if (site is not null)
        {
            var siteTenant = await directory.FindBySiteKeyAsync(site, cancellationToken);
            if (siteTenant is null)
            {
                errors.Add("site", "is not the site key of any tenant");
            }
            else if (keyTenant is not null && keyTenant.Id != siteTenant.Id)
            {
                errors.Add("site", "belongs to another tenant than the API key");
            }
            if (!errors.IsEmpty)
            {
                return (null, false, TypedResults.ValidationProblem(errors.ToDictionary()));
            }
            return (siteTenant, keyTenant is not null, null);
        }
        if (keyTenant is not null)
        {
            return (keyTenant, true, null);
        }
        var sole = await directory.FindSoleTenantAsync(cancellationToken);
        if (sole is null)
        {
            errors.Add("site", "is required: name the tenant with its site key (body field 'site' or ?site=) or an API key");
            return (null, false, TypedResults.ValidationProblem(errors.ToDictionary()));
        }
        return (sole, false, null);
    }
}
