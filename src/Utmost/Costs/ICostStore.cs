using Utmost.Core.Costs;

namespace Utmost.Costs;

/// <summary>A tenant's daily advertising costs, keyed by (day, campaign, source, medium).</summary>
public interface ICostStore
{
    /// <summary>Writes the rows in one transaction; a row whose key is stored already replaces it.</summary>
    Task UpsertAsync(string tenantId, IReadOnlyList<CostRow> rows, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Rows from <paramref name="from"/> to <paramref name="to"/> (inclusive, either open), by day, then campaign, source, medium.</summary>
    Task<IReadOnlyList<CostRow>> ListAsync(string tenantId, DateOnly? from, DateOnly? to, int limit, int offset, CancellationToken cancellationToken);
}
