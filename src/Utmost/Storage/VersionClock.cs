namespace Utmost.Storage;

/// <summary>
/// Versions of rows that a later write replaces (where ClickHouse keeps the highest): microseconds of the clock, never
/// the same twice from one instance, so a later write of the same row always has the higher version.
/// </summary>
public sealed class VersionClock(TimeProvider clock)
{
    private long _last;

    public long Next()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        long last, next;
        do
        {
            last = Interlocked.Read(ref _last);
            next = Math.Max(now, last + 1);
        }
        while (Interlocked.CompareExchange(ref _last, next, last) != last);
        return next;
    }
}
