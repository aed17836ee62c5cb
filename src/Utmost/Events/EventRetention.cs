using Microsoft.Extensions.Options;
using Utmost.Hosting;

namespace Utmost.Events;

/// <summary>
/// Applies <c>Utmost:Events:RetentionMonths</c> a few times a day: events of months older than the retained ones
/// are removed whole (ClickHouse drops their partitions). Off when the setting is 0.
/// </summary>
public sealed partial class EventRetention(IEventStore store, Sessions.ISessionStore sessions, Funnels.IFunnelDayStore funnelDays,
    IOptions<UtmostOptions> options, TimeProvider clock, ILogger<EventRetention> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(6);

    /// <summary>The first instant (UTC) of the oldest month kept: the current month and <paramref name="months"/> before it.</summary>
    public static DateTimeOffset OldestKeptMonth(DateTimeOffset now, int months) =>
        new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-months);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var months = options.Value.Events.RetentionMonths;
        if (months == 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                var oldestKept = OldestKeptMonth(clock.GetUtcNow(), months).ToUnixTimeMilliseconds();
                await store.DropBeforeMonthAsync(oldestKept, stoppingToken);
                await sessions.DropBeforeMonthAsync(oldestKept, stoppingToken);
                // Whole days before in any zone, as the visit rollup.
                await funnelDays.DropBeforeDayAsync(oldestKept / Core.Metrics.OffsetSegments.MsPerDay - 1, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.RetentionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Applying event retention failed; the next run retries")]
        public static partial void RetentionFailed(ILogger logger, Exception exception);
    }
}
