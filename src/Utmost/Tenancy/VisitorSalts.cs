using System.Security.Cryptography;
using Utmost.Core.Visitors;

namespace Utmost.Tenancy;

/// <summary>Today's salt for cookieless visitor ids, shared by every instance through the operational store.</summary>
public sealed class VisitorSalts(ITenantStore store, TimeProvider clock)
{
    private sealed record DaySalt(long Day, byte[] Salt);

    // Swapped whole, so a reader never sees one day's number with another day's salt.
    private volatile DaySalt? _today;

    public async Task<byte[]> TodayAsync(CancellationToken cancellationToken)
    {
        var day = CookielessVisitorId.DayOf(clock.GetUtcNow());
        if (_today is { } cached && cached.Day == day)
        {
            return cached.Salt;
        }
        var salt = await store.VisitorSaltAsync(day, RandomNumberGenerator.GetBytes(32), cancellationToken);
        _today = new DaySalt(day, salt);
        return salt;
    }
}
