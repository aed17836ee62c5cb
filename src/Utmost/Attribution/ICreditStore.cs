using System.Data.Common;

namespace Utmost.Attribution;

/// <summary>
/// The credit one conversion gives one (channel, campaign, source, medium) under one model; '' for a missing
/// dimension. <see cref="ValueMicros"/> is the credit's part of the conversion's value, in <see cref="Currency"/>
/// ('' when the conversion had no value). <see cref="Returning"/>: the person had converted before.
/// </summary>
public sealed record ConversionCredit(string Model, string ConversionId, long ConvertedAtMs, string Channel, string Campaign, string Source,
    string Medium, double Credit, long ValueMicros, string Currency, bool Returning);

/// <summary>A model's credit to one channel over a time range, per currency of the conversions' values.</summary>
public sealed record ChannelCreditTotals(string Channel, string Currency, double Orders, long ValueMicros, double ReturningOrders)
{
    /// <summary>Reads rows of (channel, currency, orders, value_micros, returning orders), as every store selects them.</summary>
    public static async Task<IReadOnlyList<ChannelCreditTotals>> ReadAllAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var totals = new List<ChannelCreditTotals>();
        while (await reader.ReadAsync(cancellationToken))
        {
            totals.Add(new ChannelCreditTotals(reader.GetString(0), reader.GetString(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetDouble(4)));
        }
        return totals;
    }
}

/// <summary>Reads rows of (channel, sessions), as every store selects the stored session counts.</summary>
public static class SessionCountRows
{
    public static async Task<IReadOnlyList<(string Channel, long Sessions)>> ReadAllAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var counts = new List<(string, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        return counts;
    }
}

/// <summary>
/// Persisted per-conversion attribution, and the session counts it is read with, in the operational store; every
/// call is scoped to one tenant.
/// </summary>
public interface ICreditStore
{
    /// <summary>
    /// Replaces, at once, every stored credit of conversions from <paramref name="fromMs"/> to <paramref name="toMs"/>
    /// (inclusive) and the session counts of the quarter hours starting in that range, with these.
    /// </summary>
    Task ReplaceAsync(string tenantId, long fromMs, long toMs, IReadOnlyList<ConversionCredit> credits, IReadOnlyList<SessionCount> sessionCounts,
        CancellationToken cancellationToken);

    /// <summary>The stored sessions per channel of the quarter hours starting from <paramref name="fromMs"/> to <paramref name="toMs"/>.</summary>
    Task<IReadOnlyList<(string Channel, long Sessions)>> SessionsPerChannelAsync(string tenantId, long fromMs, long toMs, CancellationToken cancellationToken);

    /// <summary>The model's credit per channel and currency, for conversions from <paramref name="fromMs"/> to <paramref name="toMs"/>.</summary>
    Task<IReadOnlyList<ChannelCreditTotals>> ChannelTotalsAsync(string tenantId, string model, long fromMs, long toMs, CancellationToken cancellationToken);

    /// <summary>How many credits are stored for the tenant (all models); for tests and the recompute answer.</summary>
    Task<long> CountAsync(string tenantId, CancellationToken cancellationToken);
}
