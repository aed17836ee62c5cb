using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Users;

/// <summary>The tenant's dashboard users, managed by its admins: listed, created with a password and a role, removed.</summary>
public static class UsersApi
{
    public sealed record UserResponse(string Id, string Email, string Role, DateTimeOffset CreatedAt)
    {
        public static UserResponse From(User u) => new(u.Id, u.Email, u.Role, u.CreatedAt);
    }

    public sealed record UserRequest(string Email, string Password, string Role);

    /// <summary>Roles a person may have; <c>ingest</c> is for keys of server-side senders only.</summary>
    public static readonly IReadOnlyList<string> UserRoles = [Roles.Admin, Roles.Marketer, Roles.Viewer];

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users");
        group.MapGet("/", async (Caller caller, UserStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok((await store.ListAsync(caller.Tenant.Id, cancellationToken)).Select(UserResponse.From).ToArray()))
            .RequireAuthorization(Policies.Admin);
        group.MapPost("/", Create).RequireAuthorization(Policies.Admin).Accepts<UserRequest>("application/json");
        group.MapDelete("/{user_id}", async Task<Results<NoContent, ProblemHttpResult>> (Caller caller, UserStore store, string user_id,
            CancellationToken cancellationToken) => await store.DeleteAsync(caller.Tenant.Id, user_id, cancellationToken)
                ? TypedResults.NoContent()
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"No user '{user_id}' in this tenant."))
            .RequireAuthorization(Policies.Admin);
        return app;
    }

    /// <summary>An address as stored and looked up: trimmed, lower case; null when it is not one.</summary>
    public static string? NormalizeEmail(string? email)
    {
        var trimmed = email?.Trim().ToLowerInvariant();
        var at = trimmed?.IndexOf('@') ?? -1;
        return trimmed is { Length: > 2 and <= 254 } && at > 0 && at < trimmed.Length - 1 && trimmed.IndexOf('@', at + 1) < 0
            && !trimmed.Any(char.IsWhiteSpace) ? trimmed : null;
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> Create(Caller caller, HttpRequest request,
        UserStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new ValidationErrors();
        string? email, password, role;
        using (body.Document)
        {
            var root = body.Document!.RootElement;
            (email, password, role) = (NormalizeEmail(JsonFields.StringOrNull(root, "email")), JsonFields.StringOrNull(root, "password"),
                JsonFields.StringOrNull(root, "role"));
            foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("email" or "password" or "role")))
            {
                errors.Add(property.Name, "is not a field of a user (email, password, role)");
            }
        }
        if (email is null)
        {
            errors.Add("email", "must be an email address");
        }
        if (password is null || password.Length < Passwords.MinLength || password.Length > Passwords.MaxLength)
        {
            errors.Add("password", $"must be {Passwords.MinLength} to {Passwords.MaxLength} characters");
        }
        if (role is null || !UserRoles.Contains(role))
        {
            errors.Add("role", $"must be one of: {string.Join(", ", UserRoles)}");
        }
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var now = clock.GetUtcNow();
        var user = new User(Ids.New(now), caller.Tenant.Id, caller.Tenant.Key, email!, Passwords.Hash(password!), role!, now);
        if (!await store.InsertAsync(user, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: $"The address is taken, or the tenant has {UserStore.MaxPerTenant} users already.");
        }
        return TypedResults.Created($"/api/users/{user.Id}", UserResponse.From(user));
    }
}
