namespace Utmost.Core.Events;

/// <summary>
/// Well-known traffic sources by category, matched on a normalised host or utm_source name.
/// A first list for lead sources; the channel issue grows it into GA4's full source categories.
/// </summary>
public static class KnownSources
{
    public static readonly FrozenNameSet SearchEngines = new(
        "google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia", "qwant", "naver", "seznam",
        "ask", "aol", "startpage", "brave", "sogou", "so", "daum", "search", "msn", "presearch", "mojeek");

    public static readonly FrozenNameSet SocialNetworks = new(
        "facebook", "fb", "instagram", "ig", "linkedin", "lnkd", "twitter", "x", "t", "tiktok", "pinterest",
        "reddit", "snapchat", "youtube", "threads", "mastodon", "tumblr", "vk", "weibo", "wechat", "whatsapp",
        "telegram", "discord", "quora", "nextdoor", "bsky", "bluesky", "messenger", "line");

    /// <summary>Webmail hosts: a click from one of them is an email visit, not a referral.</summary>
    public static readonly IReadOnlySet<string> WebmailHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "mail.google.com", "outlook.live.com", "outlook.office.com", "outlook.office365.com", "mail.yahoo.com",
        "mail.aol.com", "mail.proton.me", "mail.zoho.com", "webmail.gmx.net", "mail.yandex.ru", "e.mail.ru",
        "navigator.web.de", "mail.gmx.com", "icloud.com",
        // Mail apps announce themselves as android-app:// referrers.
        "com.google.android.gm", "com.microsoft.office.outlook", "com.yahoo.mobile.client.android.mail",
    };

    /// <summary>
    /// Reduces a host such as <c>www.google.co.uk</c> or <c>l.facebook.com</c> to the name that identifies the site
    /// (<c>google</c>, <c>facebook</c>): the label before the public suffix.
    /// </summary>
    public static string SiteName(string host)
    {
        var labels = host.Trim().TrimEnd('.').ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (labels.Length == 0)
        {
            return "";
        }
        if (labels.Length == 1)
        {
            return labels[0];
        }
        // Two-part public suffixes such as co.uk, com.au, com.br: the site name sits one label further left.
        var suffixLabels = labels.Length >= 3 && IsSecondLevelSuffix(labels[^2], labels[^1]) ? 2 : 1;
        return labels[^(suffixLabels + 1)];
    }

    private static bool IsSecondLevelSuffix(string second, string top) =>
        top.Length == 2 && second is "co" or "com" or "org" or "net" or "ac" or "gov" or "ne" or "or" or "edu" or "gob" or "go";
}

/// <summary>A case-insensitive, read-only set of names.</summary>
public sealed class FrozenNameSet(params string[] names)
{
    private readonly System.Collections.Frozen.FrozenSet<string> _names =
        System.Collections.Frozen.FrozenSet.ToFrozenSet(names, StringComparer.OrdinalIgnoreCase);

    public bool Contains(string name) => _names.Contains(name);
}
