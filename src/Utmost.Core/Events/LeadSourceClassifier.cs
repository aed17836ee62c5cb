namespace Utmost.Core.Events;

/// <summary>
/// Derives the AEON lead source of an event that does not state one: from its UTM medium and source first,
/// then from click ids on the landing URL, then from the referrer. Pure and allocation-light: it runs per event.
/// </summary>
public static class LeadSourceClassifier
{
    private static readonly FrozenNameSet DisplayMediums = new(
        "display", "banner", "cpm", "expandable", "interstitial", "programmatic", "native", "rich_media");

    private static readonly FrozenNameSet EmailMediums = new("email", "e-mail", "e_mail", "e mail", "newsletter", "mail");

    private static readonly FrozenNameSet SocialMediums = new(
        "social", "social-network", "social_network", "social-media", "social_media", "sm", "social network", "social media");

    private static readonly FrozenNameSet AffiliateMediums = new("affiliate", "affiliates", "partner", "partners");

    public static string Classify(string? utmSource, string? utmMedium, string? referrerUrl, string? pageUrl)
    {
        var medium = utmMedium?.Trim() ?? "";
        var source = utmSource?.Trim() ?? "";
        if (medium.Length > 0 || source.Length > 0)
        {
            return FromCampaignTags(NormaliseSource(source), medium);
        }
        var clickId = FromClickIds(pageUrl);
        if (clickId is not null)
        {
            return clickId;
        }
        return FromReferrer(referrerUrl, pageUrl);
    }

    /// <summary>Paid mediums per GA4: anything containing "cp", "ppc", "retargeting", or starting with "paid".</summary>
    public static bool IsPaidMedium(string medium) =>
        medium.Contains("cp", StringComparison.OrdinalIgnoreCase)
        || medium.Equals("ppc", StringComparison.OrdinalIgnoreCase)
        || medium.Equals("retargeting", StringComparison.OrdinalIgnoreCase)
        || medium.StartsWith("paid", StringComparison.OrdinalIgnoreCase);

    private static string FromCampaignTags(string source, string medium)
    {
        var isSocialSource = KnownSources.SocialNetworks.Contains(source);
        if (DisplayMediums.Contains(medium))
        {
            return LeadSources.DisplayAds;
        }
        if (AffiliateMediums.Contains(medium))
        {
            return LeadSources.Affiliate;
        }
        if (IsPaidMedium(medium))
        {
            // Paid social (Facebook or LinkedIn ads) is social media traffic to a small business, not search.
            if (isSocialSource || medium.Contains("social", StringComparison.OrdinalIgnoreCase))
            {
                return LeadSources.SocialMedia;
            }
            return LeadSources.PaidSearch;
        }
        if (EmailMediums.Contains(medium) || source.Contains("newsletter", StringComparison.OrdinalIgnoreCase)
            || source.Equals("email", StringComparison.OrdinalIgnoreCase))
        {
            return LeadSources.Email;
        }
        if (SocialMediums.Contains(medium) || isSocialSource)
        {
            return LeadSources.SocialMedia;
        }
        if (medium.Equals("organic", StringComparison.OrdinalIgnoreCase) || KnownSources.SearchEngines.Contains(source))
        {
            return LeadSources.OrganicSearch;
        }
        if (medium.Equals("referral", StringComparison.OrdinalIgnoreCase))
        {
            return LeadSources.Referral;
        }
        if (medium.Equals("(none)", StringComparison.OrdinalIgnoreCase) || source.Equals("(direct)", StringComparison.OrdinalIgnoreCase))
        {
            return LeadSources.Direct;
        }
        return LeadSources.Other;
    }

    private static string? FromClickIds(string? pageUrl)
    {
        if (pageUrl is null || !pageUrl.Contains('?'))
        {
            return null;
        }
        var query = pageUrl.AsSpan(pageUrl.IndexOf('?') + 1);
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var name = pair.IndexOf('=') is var eq && eq >= 0 ? pair[..eq] : pair;
            if (name is "gclid" or "gbraid" or "wbraid" or "msclkid" or "dclid")
            {
                return LeadSources.PaidSearch;
            }
            if (name is "fbclid" or "ttclid" or "li_fat_id" or "twclid")
            {
                return LeadSources.SocialMedia;
            }
        }
        return null;
    }

    private static string FromReferrer(string? referrerUrl, string? pageUrl)
    {
        var referrerHost = HostOf(referrerUrl);
        if (referrerHost is null)
        {
            return LeadSources.Direct;
        }
        // A click from one page of the site to another is not a new source.
        var pageHost = HostOf(pageUrl);
        if (pageHost is not null && SameSite(referrerHost, pageHost))
        {
            return LeadSources.Direct;
        }
        if (KnownSources.WebmailHosts.Contains(referrerHost) || referrerHost.StartsWith("webmail.", StringComparison.Ordinal))
        {
            return LeadSources.Email;
        }
        var name = KnownSources.SiteName(referrerHost);
        if (KnownSources.SearchEngines.Contains(name))
        {
            return LeadSources.OrganicSearch;
        }
        return KnownSources.SocialNetworks.Contains(name) ? LeadSources.SocialMedia : LeadSources.Referral;
    }

    /// <summary>utm_source values are often hosts (<c>google.com</c>); compare by site name.</summary>
    private static string NormaliseSource(string source) =>
        source.Contains('.') ? KnownSources.SiteName(source) : source;

    public static string? HostOf(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri.IdnHost.ToLowerInvariant();
        }
        // android-app://com.google.android.gm and similar: keep the authority as the host.
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0)
        {
            var rest = url[(schemeEnd + 3)..];
            var end = rest.IndexOfAny(['/', '?', '#']);
            var host = (end >= 0 ? rest[..end] : rest).ToLowerInvariant();
            return host.Length > 0 ? host : null;
        }
        return null;
    }

    private static bool SameSite(string a, string b) =>
        TrimWww(a).Equals(TrimWww(b), StringComparison.OrdinalIgnoreCase);

    private static string TrimWww(string host) => host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
}
