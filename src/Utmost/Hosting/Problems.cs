using Microsoft.AspNetCore.Http.HttpResults;

namespace Utmost.Hosting;

/// <summary>Problem details (RFC 9457) shared by the APIs.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what, string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not Found",
        detail: $"No {what} with id '{id}' exists in your tenant.");
}
