using Microsoft.Extensions.Options;
using Utmost.Core.Attribution;
using Utmost.Core.Metrics;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Attribution;

/// <summary>
/// Stores every conversion's credit under every model (AquaScene's revenue_attribution) so reports such as channel
/// performance sum rows. Runs for each tenant's recent conversions every few minutes, and on request for any range;
/// a recomputation replaces the range's credits in one transaction, so running it again changes nothing.
/// </summary>
public sealed partial class CreditRecompute(AttributionDataSource source, ICreditStore store, ITenantStore tenants, IOptions<UtmostOptions> options,
    TimeProvider clock, ILogger<CreditRecompute> logger) : BackgroundService
{
    private AttributionOptions ModelOptions => new() { Window = TimeSpan.FromDays(options.Value.Attribution.WindowDays) };

    /// <summary>One recomputation at a time in this instance: each holds a range's journeys in memory.</summary>
    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>Recomputes the credits of the tenant's conversions from <paramref name="fromMs"/> to <paramref name="toMs"/>; returns how many conversions.</summary>
    public async Task<int> RecomputeAsync(Tenant tenant, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        // Whole quarter hours, so the session counts of a bucket are replaced whole.
        (fromMs, toMs) = (Rollups.BucketOf(fromMs, Rollups.QuarterMs), Rollups.BucketOf(toMs, Rollups.QuarterMs) + Rollups.QuarterMs - 1);
        await _one.WaitAsync(cancellationToken);
        try
        {
            return await RecomputeOneAsync(tenant, fromMs, toMs, cancellationToken);
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<int> RecomputeOneAsync(Tenant tenant, long fromMs, long toMs, CancellationToken cancellationToken)
    {
        var modelOptions = ModelOptions;
        var data = await source.LoadAsync(tenant, fromMs, toMs, modelOptions.Window, cancellationToken);
        var paths = data.Paths(AttributionKey.Full, modelOptions.Window).ToList();
        var credits = new List<ConversionCredit>();
        foreach (var model in AttributionModels.All)
        {
            var name = AttributionModels.NameOf(model);
            var shares = Attributor.TouchShares(model, paths, modelOptions);
            for (var i = 0; i < paths.Count; i++)
            {
                if (data.Journeys[i].Journey.Conversion is not { } conversion)
                {
                    continue;
                }
                var returning = data.Returning.Contains(conversion.EventId);
                var byKey = shares[i].Touches.Zip(shares[i].Shares).Where(t => t.Second > 0).GroupBy(t => t.First.Key, t => t.Second);
                foreach (var key in byKey)
                {
                    var k = AttributionKey.Decode(key.Key, AttributionGrouping.Channel);
                    var credit = key.Sum();
                    credits.Add(new ConversionCredit(name, conversion.EventId, conversion.At, k.Channel, k.Campaign ?? "", k.Source ?? "", k.Medium ?? "",
                        credit, conversion.ValueMicros is { } micros ? (long)Math.Round(micros * credit) : 0,
                        conversion.ValueMicros is null ? "" : conversion.Currency ?? "", returning));
                }
            }
        }
        // In key order, the stores append to their indexes instead of inserting all over them.
        await store.ReplaceAsync(tenant.Id, fromMs, toMs, credits.OrderBy(KeyOrder, StringComparer.Ordinal).ToList(), data.SessionCounts, cancellationToken);
        return data.Journeys.Count(j => j.Journey.Conversion is not null);
    }

    private static string KeyOrder(ConversionCredit c) =>
        string.Join('\u001f', c.Model, c.ConversionId, c.Channel, c.Campaign, c.Source, c.Medium);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Attribution;
        if (settings.RecomputeMinutes == 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(settings.RecomputeMinutes), clock);
        do
        {
            try
            {
                var now = clock.GetUtcNow();
                foreach (var tenant in await tenants.ListAsync(stoppingToken))
                {
                    await RecomputeAsync(tenant, now.AddDays(-settings.RecomputeDays).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.RecomputeFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Recomputing the stored attribution credits failed; the next run retries")]
        public static partial void RecomputeFailed(ILogger logger, Exception exception);
    }
}
