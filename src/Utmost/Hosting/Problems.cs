using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Utmost.Hosting;

/// <summary>Problem details (RFC 9457) shared by the APIs.</summary>
public static class Problems
{
    public static NotFound<ProblemDetails> NotFound(string what, string id) => TypedResults.NotFound(new ProblemDetails
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Not Found",
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        Detail = $"No {what} with id '{id}' exists in your tenant.",
    });
}
