using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Utmost.Hosting;

namespace Utmost.Query;

/// <summary>
/// Recent answers of the analytics queries, per tenant: the dashboard asks the same questions every few seconds.
/// An answer is served again only to its own tenant (the tenant's key is part of the entry's key), only for
/// <see cref="UtmostOptions.QuerySettings.CacheSeconds"/>, and only while nothing new was written for that tenant:
/// ingestion, deletes and the session builder call <see cref="Changed"/>, which moves the tenant to a new version.
/// </summary>
public sealed class AnalyticsCache(IOptions<UtmostOptions> options, TimeProvider clock)
{
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<long, long> _versions = new();
    private readonly ConcurrentDictionary<(long Tenant, string Query), Entry> _entries = new();

    private readonly ConcurrentDictionary<long, long> _caughtUp = new();

    private sealed record Entry(long Version, long StoredAtMs, object Answer);

    /// <summary>
    /// Runs <paramref name="catchUp"/> (building the sessions of what was acknowledged) unless nothing was written for
    /// the tenant since it last ran: answers include every acknowledged event without paying for it on each request.
    /// </summary>
    public async Task CatchUpAsync(long tenantKey, Func<Task> catchUp)
    {
        var version = _versions.GetValueOrDefault(tenantKey);
        if (_caughtUp.TryGetValue(tenantKey, out var done) && done == version)
        {
            return;
        }
        await catchUp();
        _caughtUp[tenantKey] = version;
    }

    public void Changed(long tenantKey) => _versions.AddOrUpdate(tenantKey, 1, (_, version) => version + 1);

    public void Changed(IEnumerable<long> tenantKeys)
    {
        foreach (var key in tenantKeys.Distinct())
        {
            Changed(key);
        }
    }

    /// <summary>The cached answer, or a new one from <paramref name="compute"/> (kept when caching is on).</summary>
    /// <param name="query">Everything the answer depends on besides the tenant and its data: the normalised query, today's date.</param>
    public async Task<T> GetOrComputeAsync<T>(long tenantKey, string query, Func<Task<T>> compute) where T : class
    {
        var ttlMs = options.Value.Query.CacheSeconds * 1000L;
        if (ttlMs == 0)
        {
            return await compute();
        }
        var version = _versions.GetValueOrDefault(tenantKey);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (_entries.TryGetValue((tenantKey, query), out var entry) && entry.Version == version && now - entry.StoredAtMs < ttlMs
            && entry.Answer is T answer)
        {
            return answer;
        }
        var computed = await compute();
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[(tenantKey, query)] = new Entry(version, now, computed);
        return computed;
    }
}
