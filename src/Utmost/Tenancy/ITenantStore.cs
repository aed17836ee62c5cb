namespace Utmost.Tenancy;

/// <summary>A key found by its hash, with the tenant it belongs to.</summary>
public sealed record KeyOwner(Tenant Tenant, string Role);

/// <summary>Operational storage of tenants and their keys.</summary>
public interface ITenantStore
{
    /// <summary>Stores a new tenant; returns it with its internal key assigned.</summary>
    Task<Tenant> CreateAsync(Tenant tenant, CancellationToken cancellationToken);

    Task AddKeyAsync(string tenantId, string role, string keyHash, string keyPrefix, CancellationToken cancellationToken);

    Task<Tenant?> FindBySlugAsync(string slug, CancellationToken cancellationToken);

    Task<Tenant?> FindBySiteKeyAsync(string siteKey, CancellationToken cancellationToken);

    /// <summary>The tenant whose internal key event rows carry (for background work on stored events).</summary>
    Task<Tenant?> FindByStorageKeyAsync(long key, CancellationToken cancellationToken);

    Task<KeyOwner?> FindByKeyHashAsync(string keyHash, CancellationToken cancellationToken);

    /// <summary>The only tenant, or null when there are none or several.</summary>
    Task<Tenant?> FindSoleTenantAsync(CancellationToken cancellationToken);

    /// <summary>Every tenant, for background work across them.</summary>
    Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken cancellationToken);

    Task UpdateSettingsAsync(Tenant tenant, CancellationToken cancellationToken);

    /// <summary>
    /// The salt of a UTC day for cookieless visitor ids: <paramref name="candidate"/> if the day had none yet (instances
    /// agree on the first one stored). Salts of days before the previous one are deleted.
    /// </summary>
    Task<byte[]> VisitorSaltAsync(long day, byte[] candidate, CancellationToken cancellationToken);
}
