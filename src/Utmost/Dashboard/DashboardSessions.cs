using System.Threading.RateLimiting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Dashboard;

/// <summary>
/// Signing in to the dashboard: a tenant key, or a user's email address and password, is exchanged for a session
/// cookie (HttpOnly, SameSite=Strict, Secure over HTTPS), encrypted and time-limited by ASP.NET's data protection. It
/// holds the key's hash, or the user's id with a stamp of the password hash. Each request with the cookie finds the key
/// or user again, so revoking a key, removing a user or changing a password ends their sessions. Requests that change
/// something must also carry <see cref="CsrfHeader"/>: a page of another site can send the cookie (were SameSite to
/// fail) but cannot add a header without a CORS preflight, which these routes never answer.
/// </summary>
public static class DashboardSessions
{
    public const string CookieName = "utmost_session";
    public const string CsrfHeader = "X-Utmost-Dashboard";
    public const string SignInRateLimit = "dashboard-sign-in";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    public sealed record SignInRequest(string? Key, string? Email, string? Password);

    public sealed record SessionResponse(bool SignedIn, string? TenantName = null, string? TenantSlug = null, string? TimeZone = null, string? Role = null,
        string? Email = null);

    /// <summary>What a session cookie holds: a key's hash, or a user's id and the stamp of their password hash.</summary>
    public sealed record SessionCookie(string? KeyHash, string? UserId, string? Stamp);

    public static IServiceCollection AddDashboardSessions(this IServiceCollection services)
    {
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, cancellationToken) => new ValueTask(Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too Many Requests", detail: "Too many sign-in attempts from this address; wait a minute and try again.")
                .ExecuteAsync(context.HttpContext));
            // Ten tries a minute per address: enough for typing mistakes, far too few to guess a key.
            options.AddPolicy(SignInRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }

    public static IEndpointRouteBuilder MapDashboardSessions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dashboard").WithTags("Dashboard");
        group.MapPost("/sign-in", SignIn).AllowAnonymous().RequireRateLimiting(SignInRateLimit).Accepts<SignInRequest>("application/json");
        group.MapPost("/sign-out", SignOut).AllowAnonymous();
        // Anonymous: the page asks on load whether it is signed in, and a "no" is not an error.
        group.MapGet("/session", Current).AllowAnonymous();
        return app;
    }

    private static ITimeLimitedDataProtector Protector(IDataProtectionProvider provider) =>
        provider.CreateProtector("Utmost.Dashboard.Session.v1").ToTimeLimitedDataProtector();

    public static async Task<Results<Ok<SessionResponse>, ProblemHttpResult, ValidationProblem>> SignIn(HttpContext context, TenantDirectory directory,
        Users.UserStore users, IDataProtectionProvider protection, CancellationToken cancellationToken)
    {
        if (!PassesCsrfCheck(context.Request))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"Sign in from the dashboard (the {CsrfHeader} header is missing).");
        }
        var body = await JsonBody.ReadObjectAsync(context.Request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        string? key, email, password;
        using (body.Document)
        {
            var root = body.Document!.RootElement;
            (key, email, password) = (JsonFields.StringOrNull(root, "key")?.Trim(), JsonFields.StringOrNull(root, "email"),
                JsonFields.StringOrNull(root, "password"));
        }
        string payload;
        KeyOwner? owner;
        string? signedInEmail = null;
        if (!string.IsNullOrEmpty(key))
        {
            owner = await directory.FindByKeyAsync(key, cancellationToken);
            if (owner is null || owner.Role == Roles.Ingest)
            {
                // One answer for both: which keys exist is not told.
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                    detail: "That key does not open a dashboard: it is unknown, revoked, or may only send events.");
            }
            payload = $"key:{Secrets.Hash(key)}";
        }
        else if (!string.IsNullOrEmpty(email) && !string.IsNullOrEmpty(password))
        {
            var user = Users.UsersApi.NormalizeEmail(email) is { } address ? await users.FindByEmailAsync(address, cancellationToken) : null;
            // A wrong address costs the same time as a wrong password, and gets the same answer.
            var tenant = Users.Passwords.Verify(password, user?.PasswordHash) ? await directory.FindByStorageKeyAsync(user!.TenantKey, cancellationToken) : null;
            if (tenant is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "Wrong email address or password.");
            }
            owner = new KeyOwner(tenant, user!.Role);
            payload = $"user:{user.Id}:{Stamp(user.PasswordHash)}";
            signedInEmail = user.Email;
        }
        else
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["key"] = ["is required, or an email and a password: an API key of your tenant"] });
        }
        var cookie = Protector(protection).Protect(payload, Lifetime);
        context.Response.Cookies.Append(CookieName, cookie, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = Lifetime,
        });
        return TypedResults.Ok(From(owner.Tenant, owner.Role, signedInEmail));
    }

    /// <summary>Changes with the password hash, so a new password ends the sessions of the old one.</summary>
    public static string Stamp(string passwordHash) => Secrets.Hash(passwordHash)[..16];

    public static NoContent SignOut(HttpContext context)
    {
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
        return TypedResults.NoContent();
    }

    public static Ok<SessionResponse> Current(Caller? caller) =>
        TypedResults.Ok(caller is null || caller.Role == Roles.Ingest ? new SessionResponse(false) : From(caller.Tenant, caller.Role, caller.Email));

    private static SessionResponse From(Tenant tenant, string role, string? email) => new(true, tenant.Name, tenant.Slug, tenant.TimeZone, role, email);

    /// <summary>What a request's session cookie holds, or null (no cookie, tampered, expired).</summary>
    public static SessionCookie? SessionOf(HttpRequest request, IDataProtectionProvider protection)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var cookie) || string.IsNullOrEmpty(cookie))
        {
            return null;
        }
        string payload;
        try
        {
            payload = Protector(protection).Unprotect(cookie);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var parts = payload.Split(':');
        return parts switch
        {
            ["key", var hash] => new SessionCookie(hash, null, null),
            ["user", var id, var stamp] => new SessionCookie(null, id, stamp),
            _ => null,
        };
    }

    /// <summary>Whether a cookie-authenticated request may go on: reading always, changing only with the dashboard's header.</summary>
    public static bool PassesCsrfCheck(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
        || request.Headers.ContainsKey(CsrfHeader);
}
