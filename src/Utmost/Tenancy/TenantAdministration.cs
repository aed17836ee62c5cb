using System.Text.RegularExpressions;
using Utmost.Core.Common;
using Utmost.Core.Events;

namespace Utmost.Tenancy;

/// <summary>Creating tenants and keys: shared by the CLI, first start, and tests.</summary>
public sealed partial class TenantAdministration(ITenantStore store, TimeProvider clock)
{
    public const string DefaultSlug = "default";

    public sealed record CreatedTenant(Tenant Tenant, string AdminKey);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    public static bool IsValidSlug(string slug) => SlugPattern().IsMatch(slug);

    /// <param name="adminKey">A key to adopt as the admin key (from configuration), or null to generate one.</param>
    public async Task<CreatedTenant> CreateTenantAsync(string slug, string? name, string? adminKey, CancellationToken cancellationToken)
    {
        if (!IsValidSlug(slug))
        {
            throw new ArgumentException("A tenant slug is 1-63 lowercase letters, digits or dashes, starting with a letter or digit.", nameof(slug));
        }
        if (await store.FindBySlugAsync(slug, cancellationToken) is not null)
        {
            throw new InvalidOperationException($"A tenant with slug '{slug}' already exists.");
        }
        var tenant = await store.CreateAsync(new Tenant(0, Ids.New(), slug, name ?? slug, Secrets.NewSiteKey(), "UTC",
            EventTypes.DefaultConversionGoals, clock.GetUtcNow()), cancellationToken);
        var key = adminKey ?? Secrets.NewApiKey();
        await store.AddKeyAsync(tenant.Id, Roles.Admin, Secrets.Hash(key), Secrets.Prefix(key), cancellationToken);
        return new CreatedTenant(tenant, key);
    }

    public async Task<string> CreateKeyAsync(string slug, string role, CancellationToken cancellationToken)
    {
        if (!Roles.All.Contains(role))
        {
            throw new ArgumentException($"Unknown role '{role}'. Valid roles: {string.Join(", ", Roles.All)}.", nameof(role));
        }
        var tenant = await store.FindBySlugAsync(slug, cancellationToken)
            ?? throw new InvalidOperationException($"No tenant with slug '{slug}'.");
        var key = Secrets.NewApiKey();
        await store.AddKeyAsync(tenant.Id, role, Secrets.Hash(key), Secrets.Prefix(key), cancellationToken);
        return key;
    }

    /// <summary>
    /// First start: creates the default tenant. Returns the admin key when it was generated here (to be shown
    /// once), null when the tenant already existed or the key came from configuration.
    /// </summary>
    public async Task<string?> EnsureDefaultTenantAsync(string? configuredAdminKey, CancellationToken cancellationToken)
    {
        if (await store.FindBySlugAsync(DefaultSlug, cancellationToken) is not null)
        {
            return null;
        }
        if (configuredAdminKey is not null && configuredAdminKey.Length < Secrets.MinimumSuppliedKeyLength)
        {
            throw new InvalidOperationException(
                $"Utmost:AdminKey must be at least {Secrets.MinimumSuppliedKeyLength} characters long.");
        }
        var created = await CreateTenantAsync(DefaultSlug, "Default", configuredAdminKey, cancellationToken);
        return configuredAdminKey is null ? created.AdminKey : null;
    }
}
