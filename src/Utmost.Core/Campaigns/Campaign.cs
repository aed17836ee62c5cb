namespace Utmost.Core.Campaigns;

/// <summary>A marketing campaign as stored (AEON marketing_campaigns), money as decimals in <see cref="Currency"/>.</summary>
public sealed record Campaign
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string CampaignName { get; init; }
    public string? CampaignType { get; init; }
    public string Status { get; init; } = CampaignRules.DefaultStatus;
    public DateTimeOffset? StartDate { get; init; }
    public DateTimeOffset? EndDate { get; init; }
    public decimal? Budget { get; init; }
    public decimal Spent { get; init; } = 0.00m;
    public string Currency { get; init; } = CampaignRules.DefaultCurrency;
    public string? UtmCampaign { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmMedium { get; init; }
    public string TargetAudienceJson { get; init; } = "{}";
    public string MetricsJson { get; init; } = "{}";
    public string MetadataJson { get; init; } = "{}";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? DeletedAt { get; init; }
}
