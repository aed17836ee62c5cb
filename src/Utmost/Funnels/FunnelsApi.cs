using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Funnels;
using Utmost.Core.Query;
using Utmost.Hosting;
using Utmost.Metrics;
using Utmost.Query;
using Utmost.Tenancy;

namespace Utmost.Funnels;

/// <summary>Funnels: defined once (2 to 10 ordered steps, a window, an order), reported over any period and by a visit dimension.</summary>
public static class FunnelsApi
{
    public sealed record FunnelResponse(string Id, string Name, IReadOnlyList<FunnelStepResponse> Steps, int WindowHours, string Order,
        DateTimeOffset CreatedAt)
    {
        public static FunnelResponse From(Funnel f) => new(f.Id, f.Name,
            f.Steps.Select(s => new FunnelStepResponse(s.Name, s.EventType, s.Page, s.Properties ?? new Dictionary<string, string>())).ToArray(),
            f.WindowHours, FunnelRules.NameOf(f.Order), f.CreatedAt);
    }

    public sealed record FunnelStepResponse(string Name, string EventType, string? Page, IReadOnlyDictionary<string, string> Properties);

    public sealed record FunnelReportResponse(FunnelResponse Funnel, string[] DateRange, string? Breakdown, IReadOnlyList<FunnelStepReport> Steps,
        IReadOnlyList<FunnelGroupReport> Breakdowns);

    public static IEndpointRouteBuilder MapFunnelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/funnels").WithTags("Funnels");
        group.MapPost("/", Create).RequireAuthorization(Policies.Write)
            .WithSummary("Define a funnel: {name, steps: [event type or {event_type, page, properties}], window_hours, order: strict|any}");
        group.MapGet("/", async (Caller caller, FunnelStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok((await store.ListAsync(caller.Tenant.Id, cancellationToken)).Select(FunnelResponse.From).ToArray()))
            .RequireAuthorization(Policies.Read).WithSummary("The tenant's funnels, oldest first");
        group.MapGet("/{funnel_id}", Get).RequireAuthorization(Policies.Read);
        group.MapDelete("/{funnel_id}", Delete).RequireAuthorization(Policies.Write);
        group.MapGet("/{funnel_id}/report", Report).RequireAuthorization(Policies.Read)
            .WithSummary("Per step: entered, converted, conversion rate from the start and from the step before, drop-off, median seconds from entering");
        return app;
    }

    public static async Task<Results<Created<FunnelResponse>, ValidationProblem, ProblemHttpResult>> Create(Caller caller, HttpRequest request,
        FunnelStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new ValidationErrors();
        var now = clock.GetUtcNow();
        Funnel? funnel;
        using (body.Document)
        {
            funnel = FunnelRules.Parse(body.Document!.RootElement, Ids.New(now), caller.Tenant.Id, now, errors);
        }
        if (funnel is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The funnel was not created.");
        }
        if (!await store.InsertAsync(funnel, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many funnels.",
                detail: $"A tenant may define {FunnelStore.MaxPerTenant} funnels; delete one first.");
        }
        return TypedResults.Created($"/api/funnels/{funnel.Id}", FunnelResponse.From(funnel));
    }

    public static async Task<Results<Ok<FunnelResponse>, ProblemHttpResult>> Get(Caller caller, FunnelStore store, string funnel_id,
        CancellationToken cancellationToken) =>
        await store.GetAsync(caller.Tenant.Id, funnel_id, cancellationToken) is { } funnel
            ? TypedResults.Ok(FunnelResponse.From(funnel))
            : Problems.NotFound("funnel", funnel_id);

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Caller caller, FunnelStore store, FunnelDays days, string funnel_id,
        CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(caller.Tenant.Id, funnel_id, cancellationToken))
        {
            return Problems.NotFound("funnel", funnel_id);
        }
        await days.ForgetAsync(caller.Tenant, funnel_id, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<FunnelReportResponse>, ValidationProblem, ProblemHttpResult>> Report(Caller caller, FunnelStore store,
        FunnelReporter reporter, IMarketingAnalytics analytics, TimeProvider clock, string funnel_id, string? date_range, string? breakdown,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var range = QueryParser.ParseDateRange(date_range ?? "last_30_days", "date_range", errors);
        var dimension = breakdown is null ? null : ParseBreakdown(breakdown, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The report cannot be made.");
        }
        var funnel = await store.GetAsync(caller.Tenant.Id, funnel_id, cancellationToken);
        if (funnel is null)
        {
            return Problems.NotFound("funnel", funnel_id);
        }
        var (period, zone) = await QueryRunner.ResolveAsync(caller.Tenant, range!, analytics, clock, cancellationToken);
        try
        {
            var (steps, groups) = await reporter.ReportAsync(caller.Tenant, funnel, period, dimension, cancellationToken);
            return TypedResults.Ok(new FunnelReportResponse(FunnelResponse.From(funnel), period.ToJson(zone), dimension?.Name, steps, groups));
        }
        catch (TimeoutException e)
        {
            return QueryApi.TooLong(e);
        }
    }

    /// <summary>A breakdown is a visit dimension: the visit each visitor entered the funnel in.</summary>
    public static Dimension? ParseBreakdown(string name, ValidationErrors errors)
    {
        var dimension = QueryDimensions.Parse(name, out _);
        if (dimension is not null && QueryPlan.IsVisitDimension(dimension) && dimension.Kind != DimensionKind.VisitCountry)
        {
            return dimension;
        }
        var visits = QueryDimensions.Names.Where(n => n.StartsWith("visit:", StringComparison.Ordinal) && n != "visit:country");
        errors.Add("breakdown", $"must be a visit dimension: {string.Join(", ", visits)}");
        return null;
    }
}
