using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Identity;

/// <summary>Links anonymous visitors to people, so a person's journey spans every device and browser they used.</summary>
public static class IdentifyApi
{
    public sealed record LinkResponse(string VisitorId, string? UserId, string? Email, string? ContactId, DateTimeOffset LinkedAt)
    {
        public static LinkResponse From(VisitorLink link) => new(link.VisitorId, link.UserId, link.Email, link.ContactId, link.LinkedAt);
    }

    public static IEndpointRouteBuilder MapIdentifyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/identify", Identify).WithTags("Identity").RequireAuthorization(Policies.Ingest)
            .WithSummary("Link a visitor_id to a person (user_id, email and/or contact_id); a server-side key is required");
        app.MapGet("/api/people/visitors", VisitorsOf).WithTags("Identity").RequireAuthorization(Policies.Read)
            .WithSummary("The visitors linked to a person, by user_id, email or contact_id");
        return app;
    }

    public static async Task<Results<Ok<LinkResponse>, ValidationProblem, ProblemHttpResult>> Identify(
        Caller caller, HttpRequest request, IIdentityStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new ValidationErrors();
        string? visitorId = null, userId = null, email = null, contactId = null;
        using (body.Document)
        {
            foreach (var property in body.Document!.RootElement.EnumerateObject())
            {
                if (!JsonFields.TryGetName(property, out var field))
                {
                    errors.Add("body", "field names must be valid Unicode text");
                    break;
                }
                switch (field)
                {
                    case "visitor_id": visitorId = JsonFields.String(property.Value, field, EventLimits.ShortText, errors); break;
                    case "user_id": userId = IdOrNumber(property.Value, field, errors); break;
                    case "contact_id": contactId = IdOrNumber(property.Value, field, errors); break;
                    case "email":
                        email = JsonFields.String(property.Value, field, 254, errors)?.Trim().ToLowerInvariant();
                        if (email is not null && (email.IndexOf('@', StringComparison.Ordinal) is <= 0 || email.EndsWith('@')))
                        {
                            errors.Add(field, "must be an email address");
                        }
                        break;
                    case "tenant_id":
                        // The tenant comes from the key: a link can never reach another tenant's visitors.
                        QueryParameters.CheckTenant(JsonFields.String(property.Value, field, EventLimits.ShortText, errors), caller, errors);
                        break;
                    default:
                        errors.Add(field, "is not a field of identify (visitor_id, user_id, email, contact_id)");
                        break;
                }
            }
        }
        if (string.IsNullOrWhiteSpace(visitorId) && !errors.ToDictionary().ContainsKey("visitor_id"))
        {
            errors.Add("visitor_id", "is required");
        }
        if (userId is null && email is null && contactId is null && errors.IsEmpty)
        {
            errors.Add("user_id", "give at least one of user_id, email, contact_id");
        }
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "Nothing was linked.");
        }
        // A visitor never seen before is linked all the same: its events may still be on their way.
        var link = new VisitorLink(caller.Tenant.Id, visitorId!, userId, email, contactId, clock.GetUtcNow());
        await store.LinkAsync(link, cancellationToken);
        return TypedResults.Ok(LinkResponse.From(link));
    }

    public static async Task<Results<Ok<LinkResponse[]>, ValidationProblem>> VisitorsOf(
        Caller caller, IIdentityStore store, string? user_id, string? email, string? contact_id, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var given = new[] { (PersonKey.UserId, user_id), (PersonKey.Email, email?.Trim().ToLowerInvariant()), (PersonKey.ContactId, contact_id) }
            .Where(p => p.Item2 is not null).ToArray();
        if (given.Length != 1)
        {
            errors.Add("user_id", "give exactly one of user_id, email, contact_id");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var (key, value) = given[0];
        if (QueryParameters.Text(value, key.Column(), errors) is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var links = await store.VisitorsOfAsync(caller.Tenant.Id, key, value!, cancellationToken);
        return TypedResults.Ok(links.Select(LinkResponse.From).ToArray());
    }

    /// <summary>Ids arrive as strings or JSON integers, as the events' user_id does.</summary>
    private static string? IdOrNumber(JsonElement value, string field, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }
        if (value.ValueKind is JsonValueKind.String or JsonValueKind.Null)
        {
            var text = JsonFields.String(value, field, EventLimits.ShortText, errors);
            return string.IsNullOrWhiteSpace(text) ? null : text;
        }
        errors.Add(field, "must be a string or an integer");
        return null;
    }
}
