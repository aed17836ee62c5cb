using Utmost.Core.Campaigns;

namespace Utmost.Campaigns;

/// <summary>Operational storage of campaigns; every call is scoped to one tenant.</summary>
public interface ICampaignStore
{
    Task InsertAsync(Campaign campaign, CancellationToken cancellationToken);

    /// <summary>Null when missing or soft-deleted.</summary>
    Task<Campaign?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>Newest first, without soft-deleted campaigns.</summary>
    Task<IReadOnlyList<Campaign>> ListAsync(string tenantId, string? status, int limit, int offset, CancellationToken cancellationToken);

    /// <summary>Writes every field of <paramref name="campaign"/>; false when it was deleted meanwhile.</summary>
    Task<bool> UpdateAsync(Campaign campaign, CancellationToken cancellationToken);

    Task<bool> SoftDeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken);
}
