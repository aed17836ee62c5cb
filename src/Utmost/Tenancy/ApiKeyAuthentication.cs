using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Utmost.Tenancy;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the tenant keys, or else the dashboard's session cookie
/// (<see cref="Dashboard.DashboardSessions"/>); answers 401/403 as problem details.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TenantDirectory directory,
    Users.UserStore users,
    Microsoft.AspNetCore.DataProtection.IDataProtectionProvider protection) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        KeyOwner? owner;
        string? email = null;
        if (BearerToken(Request) is { } key)
        {
            owner = await directory.FindByKeyAsync(key, Context.RequestAborted);
        }
        else if (Dashboard.DashboardSessions.SessionOf(Request, protection) is { } session)
        {
            if (!Dashboard.DashboardSessions.PassesCsrfCheck(Request))
            {
                return AuthenticateResult.Fail($"A change made with a dashboard session must carry the {Dashboard.DashboardSessions.CsrfHeader} header.");
            }
            if (session.KeyHash is not null)
            {
                owner = await directory.FindByKeyHashAsync(session.KeyHash, Context.RequestAborted);
            }
            else
            {
                // A removed user, or one whose password changed since, is signed out.
                var user = await users.FindByIdAsync(session.UserId!, Context.RequestAborted);
                var tenant = user is not null && Dashboard.DashboardSessions.Stamp(user.PasswordHash) == session.Stamp
                    ? await directory.FindByStorageKeyAsync(user.TenantKey, Context.RequestAborted)
                    : null;
                owner = tenant is null ? null : new KeyOwner(tenant, user!.Role);
                email = user?.Email;
            }
        }
        else
        {
            return AuthenticateResult.NoResult();
        }
        if (owner is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key, or a dashboard session that has ended.");
        }
        Context.Items[Caller.ItemKey] = new Caller(owner.Tenant, owner.Role) { Email = email };
        return AuthenticateResult.Success(new AuthenticationTicket(Caller.ToPrincipal(owner, SchemeName), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: failure ?? "Send an API key of your tenant as 'Authorization: Bearer <key>', or sign in to the dashboard.").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "This API key's role does not allow this operation.").ExecuteAsync(Context);

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        // Any length is looked up (a wrong key is refused, never ignored); only the hash of it is compared.
        var token = header[prefix.Length..].Trim();
        return token.Length > 0 ? token : null;
    }
}

/// <summary>Authorization policies by role; every API route names one.</summary>
public static class Policies
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Admin = "admin";

    /// <summary>Server-side senders: keys that may ingest (admin, marketer, ingest), never a public site key.</summary>
    public const string Ingest = "ingest";

    public static IServiceCollection AddTenancy(this IServiceCollection services)
    {
        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<VisitorSalts>();
        services.AddSingleton<TenantAdministration>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Read, policy => policy.RequireRole(Roles.Admin, Roles.Marketer, Roles.Viewer))
            .AddPolicy(Write, policy => policy.RequireRole(Roles.Admin, Roles.Marketer))
            .AddPolicy(Admin, policy => policy.RequireRole(Roles.Admin))
            .AddPolicy(Ingest, policy => policy.RequireRole(Roles.Admin, Roles.Marketer, Roles.Ingest));
        return services;
    }
}
