using System.Collections.Concurrent;

namespace Utmost.Tenancy;

/// <summary>
/// Finds the tenant of a request on the ingestion hot path without a database round trip each time.
/// Entries live a few seconds, so keys and tenants created by the CLI in another process are seen promptly.
/// </summary>
public sealed class TenantDirectory(ITenantStore store, TimeProvider clock)
{
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SoleTenantLifetime = TimeSpan.FromSeconds(1);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (KeyOwner Owner, DateTimeOffset Expires)> _byKeyHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Tenant Tenant, DateTimeOffset Expires)> _bySiteKey = new(StringComparer.Ordinal);
    private (Tenant? Tenant, DateTimeOffset Expires) _sole;

    public async Task<KeyOwner?> FindByKeyAsync(string key, CancellationToken cancellationToken)
    {
        var hash = Secrets.Hash(key);
        var now = clock.GetUtcNow();
        if (_byKeyHash.TryGetValue(hash, out var cached) && cached.Expires > now)
        {
            return cached.Owner;
        }
        var owner = await store.FindByKeyHashAsync(hash, cancellationToken);
        // Only hits are cached: remembering misses would let random keys fill memory.
        if (owner is not null)
        {
            Remember(_byKeyHash, hash, (owner, now + KeyLifetime));
        }
        return owner;
    }

    public async Task<Tenant?> FindBySiteKeyAsync(string siteKey, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_bySiteKey.TryGetValue(siteKey, out var cached) && cached.Expires > now)
        {
            return cached.Tenant;
        }
        var tenant = await store.FindBySiteKeyAsync(siteKey, cancellationToken);
        if (tenant is not null)
        {
            Remember(_bySiteKey, siteKey, (tenant, now + KeyLifetime));
        }
        return tenant;
    }

    /// <summary>The only tenant of the installation, or null once there are two (events must then name theirs).</summary>
    public async Task<Tenant?> FindSoleTenantAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cached = _sole;
        if (cached.Expires > now)
        {
            return cached.Tenant;
        }
        var tenant = await store.FindSoleTenantAsync(cancellationToken);
        _sole = (tenant, now + SoleTenantLifetime);
        return tenant;
    }

    /// <summary>Forgets what this process remembers of a tenant after its settings change.</summary>
    public void Forget(string tenantId)
    {
        foreach (var entry in _byKeyHash.Where(e => e.Value.Owner.Tenant.Id == tenantId))
        {
            _byKeyHash.TryRemove(entry.Key, out _);
        }
        foreach (var entry in _bySiteKey.Where(e => e.Value.Tenant.Id == tenantId))
        {
            _bySiteKey.TryRemove(entry.Key, out _);
        }
        _sole = default;
    }

    private static void Remember<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        if (cache.Count >= MaxEntries)
        {
            cache.Clear();
        }
        cache[key] = value;
    }
}
