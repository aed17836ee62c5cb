namespace Utmost.Core.Events;

/// <summary>The AEON lead source categories.</summary>
public static class LeadSources
{
    public const string OrganicSearch = "organic_search";
    public const string PaidSearch = "paid_search";
    public const string SocialMedia = "social_media";
    public const string Referral = "referral";
    public const string Direct = "direct";
    public const string Email = "email";
    public const string DisplayAds = "display_ads";
    public const string Affiliate = "affiliate";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All =
        [OrganicSearch, PaidSearch, SocialMedia, Referral, Direct, Email, DisplayAds, Affiliate, Other];
}
