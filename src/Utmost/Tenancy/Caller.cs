using System.Security.Claims;

namespace Utmost.Tenancy;

/// <summary>The authenticated caller of an API request: its tenant and role. Bound as a handler parameter.</summary>
public sealed record Caller(Tenant Tenant, string Role)
{
    /// <summary>The signed-in user's address, when a person rather than a key is calling.</summary>
    public string? Email { get; init; }

    public const string TenantIdClaim = "utmost:tenant_id";

    internal static readonly object ItemKey = new();

    public static ValueTask<Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items.TryGetValue(ItemKey, out var caller) ? caller as Caller : null);

    internal static ClaimsPrincipal ToPrincipal(KeyOwner owner, string scheme) =>
        new(new ClaimsIdentity([new Claim(TenantIdClaim, owner.Tenant.Id), new Claim(ClaimTypes.Role, owner.Role)], scheme));
}
