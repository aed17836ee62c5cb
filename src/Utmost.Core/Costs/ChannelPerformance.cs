namespace Utmost.Core.Costs;

/// <summary>
/// What a channel cost in one currency, gathered from cost rows. Rows that report clicks (and impressions) are
/// tallied apart, so CPC and CTR are computed only over the rows that know them.
/// </summary>
public sealed class ChannelSpend(string channel)
{
    public string Channel { get; } = channel;
    public long CostMicros { get; private set; }
    public long? Clicks { get; private set; }
    public long? Impressions { get; private set; }
    private long _costOfClickedMicros;
    private long _clicksOfShown;

    public void Add(long costMicros, long? clicks, long? impressions)
    {
        CostMicros += costMicros;
        if (clicks is { } c)
        {
            Clicks = (Clicks ?? 0) + c;
            _costOfClickedMicros += costMicros;
            if (impressions is { } i)
            {
                Impressions = (Impressions ?? 0) + i;
                _clicksOfShown += c;
            }
        }
    }

    /// <summary>Adds everything another channel's rows added (for totals).</summary>
    public void Add(ChannelSpend other)
    {
        CostMicros += other.CostMicros;
        _costOfClickedMicros += other._costOfClickedMicros;
        _clicksOfShown += other._clicksOfShown;
        Clicks = other.Clicks is null ? Clicks : (Clicks ?? 0) + other.Clicks;
        Impressions = other.Impressions is null ? Impressions : (Impressions ?? 0) + other.Impressions;
    }

    /// <summary>Cost per click over the rows with clicks.</summary>
    public decimal? Cpc => Clicks is > 0 ? Math.Round(_costOfClickedMicros / 1_000_000m / Clicks.Value, 2) : null;

    /// <summary>Clicks per impression × 100 over the rows with both.</summary>
    public double? Ctr => Impressions is > 0 ? Math.Round(_clicksOfShown * 100.0 / Impressions.Value, 2) : null;
}

/// <summary>A channel's traffic and attributed orders over a period; sales in micro-units of the report's currency.</summary>
public sealed record ChannelActivity(string Channel, long Sessions, double Orders, double ReturningOrders, long SalesMicros);

/// <summary>
/// Glamlink's ChannelAttribution: a channel's sessions, attributed orders and sales, and what they cost. Ratios are
/// null where their denominator is zero or unknown (no cost, no clicks), never a made-up 0.
/// </summary>
public sealed record ChannelPerformance(
    string Channel, long Sessions, double Orders, decimal Sales, double ConversionRate, decimal? Cost, double? Roas, double? Roi, decimal? Cpa,
    long? Clicks, long? Impressions, decimal? Cpc, double? Ctr, decimal? Aov, double NewCustomerOrders, double ReturningCustomerOrders)
{
    public const string Total = "Total";

    /// <summary>One row per channel with any sessions, orders or cost, most sales first; then the total over all of them.</summary>
    public static (IReadOnlyList<ChannelPerformance> Channels, ChannelPerformance Total) Of(IEnumerable<ChannelActivity> activity,
        IEnumerable<ChannelSpend> spend)
    {
        var byChannel = activity.ToDictionary(a => a.Channel, StringComparer.Ordinal);
        var costs = spend.ToDictionary(s => s.Channel, StringComparer.Ordinal);
        var rows = byChannel.Keys.Union(costs.Keys, StringComparer.Ordinal)
            .Select(channel => Row(channel, byChannel.GetValueOrDefault(channel) ?? new ChannelActivity(channel, 0, 0, 0, 0), costs.GetValueOrDefault(channel)))
            .OrderByDescending(r => r.Sales).ThenByDescending(r => r.Sessions).ThenBy(r => r.Channel, StringComparer.Ordinal)
            .ToList();
        var all = new ChannelActivity(Total, byChannel.Values.Sum(a => a.Sessions), byChannel.Values.Sum(a => a.Orders),
            byChannel.Values.Sum(a => a.ReturningOrders), byChannel.Values.Sum(a => a.SalesMicros));
        var allSpend = new ChannelSpend(Total);
        foreach (var s in costs.Values)
        {
            allSpend.Add(s);
        }
        return (rows, Row(Total, all, costs.Count == 0 ? null : allSpend));
    }

    private static ChannelPerformance Row(string channel, ChannelActivity a, ChannelSpend? spend)
    {
        var sales = Math.Round(a.SalesMicros / 1_000_000m, 2);
        decimal? cost = spend is null ? null : Math.Round(spend.CostMicros / 1_000_000m, 2);
        var hasCost = cost is > 0;
        return new ChannelPerformance(
            channel, a.Sessions, Math.Round(a.Orders, 4), sales,
            ConversionRate: a.Sessions > 0 ? Math.Round(a.Orders / a.Sessions * 100, 2) : 0,
            Cost: cost,
            Roas: hasCost ? Math.Round((double)(sales / cost!.Value), 4) : null,
            Roi: hasCost ? Math.Round((double)((sales - cost!.Value) / cost.Value), 4) : null,
            Cpa: hasCost && a.Orders > 0 ? Math.Round(cost!.Value / (decimal)a.Orders, 2) : null,
            Clicks: spend?.Clicks, Impressions: spend?.Impressions, Cpc: spend?.Cpc, Ctr: spend?.Ctr,
            Aov: a.Orders > 0 ? Math.Round(sales / (decimal)a.Orders, 2) : null,
            NewCustomerOrders: Math.Round(a.Orders - a.ReturningOrders, 4),
            ReturningCustomerOrders: Math.Round(a.ReturningOrders, 4));
    }
}
