using System.Text.RegularExpressions;
using Utmost.Core.Common;
using Utmost.Core.Events;

namespace Utmost.Core.Channels;

/// <summary>The GA4 default channel group names, in the order GA4 evaluates them.</summary>
public static class Channels
{
    public const string Direct = "Direct";
    public const string CrossNetwork = "Cross-network";
    public const string PaidShopping = "Paid Shopping";
    public const string PaidSearch = "Paid Search";
    public const string PaidSocial = "Paid Social";
    public const string PaidVideo = "Paid Video";
    public const string Display = "Display";
    public const string PaidOther = "Paid Other";
    public const string OrganicShopping = "Organic Shopping";
    public const string OrganicSocial = "Organic Social";
    public const string OrganicVideo = "Organic Video";
    public const string OrganicSearch = "Organic Search";
    public const string Referral = "Referral";
    public const string Email = "Email";
    public const string Affiliates = "Affiliates";
    public const string Audio = "Audio";
    public const string Sms = "SMS";
    public const string MobilePush = "Mobile Push Notifications";
    public const string Unassigned = "Unassigned";
}

/// <summary>What the channel rules look at: source (normalised), its category, medium and campaign, all lower case.</summary>
public readonly record struct ChannelFacts(string Source, SourceCategory Category, string Medium, string Campaign);

/// <summary>One row of a channel table: traffic whose facts match gets the channel (and AEON lead source).</summary>
public sealed record ChannelRule(string Channel, string LeadSource, Func<ChannelFacts, bool> Matches);

/// <summary>What a visit arrived with: UTM tags (or none, then taken from the landing URL), referrer, landing URL.</summary>
public sealed record ChannelInput(string? Source = null, string? Medium = null, string? Campaign = null,
    string? ReferrerUrl = null, string? LandingUrl = null);

/// <summary>
/// The traffic source of a visit: channel (GA4 default channel group, or a tenant's own), AEON lead source,
/// normalised source and medium, campaign, the click id that decided it, and whether the referrer was the site
/// itself (<see cref="Internal"/>: a click within the site, not a new source).
/// </summary>
public sealed record TrafficSource(string Channel, string LeadSource, string Source, string Medium, string? Campaign,
    string? ClickId, string? ReferrerHost, bool Internal);

/// <summary>
/// Classifies traffic into channels with GA4's default channel group as the standard, table-driven: the first
/// matching rule of <see cref="Ga4Rules"/> wins, after any rules of the tenant's own. Matching is case-insensitive.
/// <para>
/// Source and medium come from the UTM tags (given, or read from the landing URL); without tags, from a click id
/// on the landing URL; without either, from the referrer: a search engine is organic search, a webmail is email,
/// any other site a referral (a social or video site is then matched by its category), the site itself is internal,
/// and no referrer is direct.
/// </para>
/// </summary>
public static partial class ChannelClassifier
{
    /// <summary>
    /// Click ids that ad platforms append to landing URLs, and the source and medium each stands for:
    /// gclid, gbraid, wbraid (Google Ads) and msclkid (Microsoft Advertising) and yclid (Yandex Direct) are paid
    /// search clicks; dclid (Google Display and Video 360) is display; ttclid (TikTok), li_fat_id (LinkedIn),
    /// twclid (X), ScCid (Snapchat) and epik (Pinterest) are only added to ad clicks, so paid social; fbclid is
    /// added to every link leaving Facebook and Instagram, so it means Facebook, organic social unless the
    /// UTM medium says paid.
    /// </summary>
    public static IReadOnlyDictionary<string, (string Source, string Medium)> ClickIds { get; } =
        new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
        {
            ["gclid"] = ("google", "cpc"),
            ["gbraid"] = ("google", "cpc"),
            ["wbraid"] = ("google", "cpc"),
            ["msclkid"] = ("bing", "cpc"),
            ["yclid"] = ("yandex", "cpc"),
            ["dclid"] = ("google", "display"),
            ["ttclid"] = ("tiktok", "paid"),
            ["li_fat_id"] = ("linkedin", "paid"),
            ["twclid"] = ("twitter", "paid"),
            ["sccid"] = ("snapchat", "paid"),
            ["epik"] = ("pinterest", "paid"),
            ["fbclid"] = ("facebook", "social"),
        };

    // Looked up by the query parameter's span, so finding a click id allocates nothing.
    private static readonly System.Collections.Frozen.FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ClickIdNames =
        System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(ClickIds.Keys, key => key.ToLowerInvariant(), StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly string[] EmailNames = ["email", "e-mail", "e_mail", "e mail"];
    private static readonly string[] DisplayMediums = ["display", "banner", "expandable", "interstitial", "cpm"];
    private static readonly string[] SocialMediums = ["social", "social-network", "social-media", "sm", "social network", "social media"];
    private static readonly string[] ReferralMediums = ["referral", "app", "link"];

    /// <summary>GA4's default channel group, in GA4's order, with the AEON lead source of each channel.</summary>
    public static IReadOnlyList<ChannelRule> Ga4Rules { get; } =
    [
        new(Channels.Direct, LeadSources.Direct, f => f.Source == "(direct)" && f.Medium is "(none)" or "(not set)"),
        new(Channels.CrossNetwork, LeadSources.PaidSearch, f => f.Campaign.Contains("cross-network", StringComparison.Ordinal)),
        new(Channels.PaidShopping, LeadSources.PaidSearch, f => (f.Category == SourceCategory.Shopping || IsShoppingCampaign(f.Campaign)) && IsPaid(f.Medium)),
        new(Channels.PaidSearch, LeadSources.PaidSearch, f => f.Category == SourceCategory.Search && IsPaid(f.Medium)),
        new(Channels.PaidSocial, LeadSources.SocialMedia, f => f.Category == SourceCategory.Social && IsPaid(f.Medium)),
        new(Channels.PaidVideo, LeadSources.DisplayAds, f => f.Category == SourceCategory.Video && IsPaid(f.Medium)),
        new(Channels.Display, LeadSources.DisplayAds, f => DisplayMediums.Contains(f.Medium)),
        new(Channels.PaidOther, LeadSources.PaidSearch, f => IsPaid(f.Medium)),
        new(Channels.OrganicShopping, LeadSources.Referral, f => f.Category == SourceCategory.Shopping || IsShoppingCampaign(f.Campaign)),
        new(Channels.OrganicSocial, LeadSources.SocialMedia, f => f.Category == SourceCategory.Social || SocialMediums.Contains(f.Medium)),
        new(Channels.OrganicVideo, LeadSources.SocialMedia, f => f.Category == SourceCategory.Video || f.Medium.Contains("video", StringComparison.Ordinal)),
        new(Channels.OrganicSearch, LeadSources.OrganicSearch, f => f.Category == SourceCategory.Search || f.Medium == "organic"),
        new(Channels.Referral, LeadSources.Referral, f => ReferralMediums.Contains(f.Medium)),
        new(Channels.Email, LeadSources.Email, f => EmailNames.Contains(f.Source) || EmailNames.Contains(f.Medium)),
        new(Channels.Affiliates, LeadSources.Affiliate, f => f.Medium == "affiliate"),
        new(Channels.Audio, LeadSources.Other, f => f.Medium == "audio"),
        new(Channels.Sms, LeadSources.Other, f => f.Source == "sms" || f.Medium == "sms"),
        new(Channels.MobilePush, LeadSources.Other, f => f.Medium.EndsWith("push", StringComparison.Ordinal)
            || f.Medium.Contains("mobile", StringComparison.Ordinal) || f.Medium.Contains("notification", StringComparison.Ordinal)
            || f.Source == "firebase"),
    ];

    /// <summary>GA4's paid medium: <c>^(.*cp.*|ppc|retargeting|paid.*)$</c>, without a regex.</summary>
    public static bool IsPaid(string medium) =>
        medium.Contains("cp", StringComparison.Ordinal) || medium is "ppc" or "retargeting" || medium.StartsWith("paid", StringComparison.Ordinal);

    /// <summary>GA4's shopping campaign: <c>^(.*(([^a-df-z]|^)shop|shopping).*)$</c>.</summary>
    public static bool IsShoppingCampaign(string campaign) => campaign.Length > 0 && ShoppingCampaign().IsMatch(campaign);

    [GeneratedRegex("(^|[^a-df-z])shop|shopping", RegexOptions.CultureInvariant)]
    private static partial Regex ShoppingCampaign();

    public static TrafficSource Classify(ChannelInput input, IReadOnlyList<ChannelRule>? tenantRules = null)
    {
        var utmSource = Blank(input.Source);
        var utmMedium = Blank(input.Medium);
        var campaign = Blank(input.Campaign);
        // The URL's own tags are decoded only when the event did not state them (a tracker usually does).
        var landing = LandingTags.Read(input.LandingUrl, decodeTags: utmSource is null || utmMedium is null || campaign is null);
        utmSource ??= landing.Source;
        utmMedium ??= landing.Medium;
        campaign ??= landing.Campaign;
        var clickId = landing.ClickId;
        var click = clickId is null ? default : ClickIds[clickId];
        var referrerHost = Urls.HostOf(input.ReferrerUrl);

        string source, medium;
        var isInternal = false;
        if (utmSource is not null || utmMedium is not null)
        {
            source = SourceCatalog.Normalise(utmSource) ?? click.Source ?? "(not set)";
            medium = utmMedium?.ToLowerInvariant() ?? click.Medium ?? "(not set)";
        }
        else if (clickId is not null)
        {
            (source, medium) = click;
        }
        else if (referrerHost is not null && !(Urls.HostOf(input.LandingUrl) is { } landingHost && SameSite(referrerHost, landingHost)))
        {
            source = SourceCatalog.Normalise(referrerHost)!;
            medium = SourceCatalog.IsWebmail(referrerHost) ? "email"
                : SourceCatalog.CategoryOf(source) == SourceCategory.Search ? "organic"
                : "referral";
        }
        else
        {
            isInternal = referrerHost is not null;
            (source, medium) = ("(direct)", "(none)");
        }

        var facts = new ChannelFacts(source, SourceCatalog.CategoryOf(source), medium, campaign?.ToLowerInvariant() ?? "");
        var rule = tenantRules?.FirstOrDefault(r => r.Matches(facts)) ?? Ga4Rules.FirstOrDefault(r => r.Matches(facts));
        return new TrafficSource(rule?.Channel ?? Channels.Unassigned, rule?.LeadSource ?? LeadSources.Other,
            source, medium, campaign, clickId, referrerHost, isInternal);
    }

    /// <summary>The UTM tags and first click id of a landing URL's query string, read in one pass.</summary>
    private readonly record struct LandingTags(string? Source, string? Medium, string? Campaign, string? ClickId)
    {
        public static LandingTags Read(string? url, bool decodeTags)
        {
            var start = url?.IndexOf('?') ?? -1;
            if (start < 0)
            {
                return default;
            }
            var end = url!.IndexOf('#', start);
            var query = url.AsSpan(start + 1, (end < 0 ? url.Length : end) - start - 1);
            var tags = default(LandingTags);
            foreach (var range in query.Split('&'))
            {
                var pair = query[range];
                var eq = pair.IndexOf('=');
                var name = eq < 0 ? pair : pair[..eq];
                var value = eq < 0 ? [] : pair[(eq + 1)..];
                if (decodeTags)
                {
                    if (name.Equals("utm_source", StringComparison.OrdinalIgnoreCase))
                    {
                        tags = tags with { Source = tags.Source ?? Decode(value) };
                    }
                    else if (name.Equals("utm_medium", StringComparison.OrdinalIgnoreCase))
                    {
                        tags = tags with { Medium = tags.Medium ?? Decode(value) };
                    }
                    else if (name.Equals("utm_campaign", StringComparison.OrdinalIgnoreCase))
                    {
                        tags = tags with { Campaign = tags.Campaign ?? Decode(value) };
                    }
                }
                if (tags.ClickId is null && name.Length is >= 4 and <= 9 && ClickIdNames.TryGetValue(name, out var clickId))
                {
                    tags = tags with { ClickId = clickId };
                }
            }
            return tags;
        }

        private static string? Decode(ReadOnlySpan<char> value) => Blank(Uri.UnescapeDataString(value.ToString().Replace('+', ' ')));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool SameSite(string a, string b) => TrimWww(a).Equals(TrimWww(b), StringComparison.OrdinalIgnoreCase);

    private static string TrimWww(string host) => host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
}
