using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Query;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Query;

/// <summary>
/// Plausible's Stats API v2 over Utmost's data: <c>POST /api/v2/query</c> with metrics, a date range, dimensions,
/// filters, order, include and pagination, for the tenant of the key; and the request's JSON schema.
/// </summary>
public static class QueryApi
{
    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v2/query", Post).WithTags("Analytics").RequireAuthorization(Policies.Read)
            .WithSummary("Metrics by dimensions over a date range, filtered, compared, paged (Plausible's Stats API v2)");
        app.MapGet("/api/v2/query/schema", () => TypedResults.Text(QuerySchema.Json, "application/schema+json")).WithTags("Analytics")
            .AllowAnonymous().WithSummary("The JSON schema of a query");
        return app;
    }

    public static async Task<Results<Ok<QueryResponse>, ValidationProblem, ProblemHttpResult>> Post(Caller caller, HttpRequest request,
        QueryRunner runner, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new ValidationErrors();
        AnalyticsQuery? query;
        using (body.Document)
        {
            query = QueryParser.Parse(body.Document!.RootElement, errors);
        }
        if (query is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The query is not valid.");
        }
        try
        {
            return TypedResults.Ok(await runner.RunAsync(caller.Tenant, query, cancellationToken));
        }
        catch (TimeoutException e)
        {
            return TooLong(e);
        }
    }

    /// <summary>The 503 of a query stopped at its deadline: every analytics endpoint answers it so.</summary>
    public static ProblemHttpResult TooLong(TimeoutException e) => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "The query took too long.",
        detail: $"{e.Message} and was stopped. Narrow the date range, filter, or ask for fewer dimensions; the limit is Utmost:Query:TimeoutSeconds.");
}
