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
    private readonly ConcurrentDictionary<long, (Tenant Tenant, DateTimeOffset Expires)> _byStorageKey = new();
    private (Tenant? Tenant, DateTimeOffset Expires) _sole;

    public Task<KeyOwner?> FindByKeyAsync(string key, CancellationToken cancellationToken) => FindByKeyHashAsync(Secrets.Hash(key), cancellationToken);

    /// <summary>A key's owner by the key's hash (a dashboard session holds only the hash).</summary>
    public async Task<KeyOwner?> FindByKeyHashAsync(string hash, CancellationToken cancellationToken)
    {
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

    public Task<Tenant?> FindBySiteKeyAsync(string siteKey, CancellationToken cancellationToken) =>
        CachedAsync(_bySiteKey, siteKey, () => store.FindBySiteKeyAsync(siteKey, cancellationToken));

    /// <summary>A tenant by the key its event rows carry, for background work (the session builder).</summary>
    public Task<Tenant?> FindByStorageKeyAsync(long key, CancellationToken cancellationToken) =>
        CachedAsync(_byStorageKey, key, () => store.FindByStorageKeyAsync(key, cancellationToken));

    private async Task<Tenant?> CachedAsync<TKey>(ConcurrentDictionary<TKey, (Tenant Tenant, DateTimeOffset Expires)> cache, TKey key,
        Func<Task<Tenant?>> load) where TKey : notnull
    {
        var now = clock.GetUtcNow();
        if (cache.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return cached.Tenant;
        }
        var tenant = await load();
        if (tenant is not null)
        {
            Remember(cache, key, (tenant, now + KeyLifetime));
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
        foreach (var entry in _byStorageKey.Where(e => e.Value.Tenant.Id == tenantId))
        {
            _byStorageKey.TryRemove(entry.Key, out _);
        }
        _sole = default;
    }

    private static void Remember<TKey, T>(ConcurrentDictionary<TKey, T> cache, TKey key, T value) where TKey : notnull
    {
        if (cache.Count >= MaxEntries)
        {
            cache.Clear();
        }
        cache[key] = value;
    }
}
