using System.Collections.Concurrent;

namespace Utmost.Core.Devices;

/// <summary>What a user agent says about the visitor's device: type, browser family, OS family, and whether it is a bot.</summary>
public sealed record DeviceInfo(string DeviceType, string Browser, string Os, bool IsBot)
{
    public static readonly DeviceInfo Unknown = new(DeviceTypes.Other, "Other", "Other", IsBot: false);
}

public static class DeviceTypes
{
    public const string Desktop = "desktop";
    public const string Mobile = "mobile";
    public const string Tablet = "tablet";
    public const string Bot = "bot";
    public const string Other = "other";
}

/// <summary>
/// A user agent classifier of our own, by ordered token tables (first match wins): bots and crawlers first, then
/// in-app browsers (which also carry the token of the engine they embed), then browsers whose agents also claim
/// Chrome or Safari, then the engines themselves. Agents repeat endlessly, so answers are cached.
/// </summary>
public static class UserAgentClassifier
{
    /// <summary>Longer agents are not real browsers (and 10 KB of them must not cost 10 KB of scanning).</summary>
    public const int MaxLength = 1024;

    private const int CacheLimit = 20_000;
    private static readonly ConcurrentDictionary<string, DeviceInfo> Cache = new(StringComparer.Ordinal);
    private static int _cached;

    // Substrings that mark automated agents: crawlers, link previewers, monitors, HTTP libraries, headless browsers.
    private static readonly string[] BotTokens =
    [
        "bot", "crawl", "spider", "slurp", "mediapartners", "facebookexternalhit", "embedly", "preview", "headlesschrome",
        "lighthouse", "pingdom", "uptimerobot", "statuscake", "monitor", "curl/", "wget/", "python-requests", "python-urllib",
        "aiohttp", "go-http-client", "java/", "libwww-perl", "httpclient", "axios/", "node-fetch", "postmanruntime", "insomnia",
        "scrapy", "phantomjs", "selenium", "puppeteer", "feedfetcher", "validator", "ia_archiver", "chatgpt-user", "claude-web",
        "cohere-ai", "google-extended", "ahrefs", "semrush", "bytespider", "petalsearch", "yahoo! slurp", "qwantify",
    ];

    private static readonly (string Token, string Browser)[] Browsers =
    [
        ("fban", "Facebook"), ("fbav", "Facebook"), ("fb_iab", "Facebook"), ("instagram", "Instagram"),
        ("musical_ly", "TikTok"), ("bytedancewebview", "TikTok"), ("tiktok", "TikTok"), ("micromessenger", "WeChat"),
        ("linkedinapp", "LinkedIn"), ("snapchat", "Snapchat"), ("pinterest", "Pinterest"), ("twitter", "Twitter"),
        (" line/", "LINE"), ("gsa/", "Google App"),
        ("edg/", "Edge"), ("edga/", "Edge"), ("edgios/", "Edge"), ("edge/", "Edge"),
        ("opr/", "Opera"), ("opios/", "Opera"), ("opera", "Opera"), ("opt/", "Opera"),
        ("samsungbrowser/", "Samsung Internet"), ("yabrowser/", "Yandex Browser"), ("vivaldi/", "Vivaldi"),
        ("ucbrowser/", "UC Browser"), ("miuibrowser/", "MIUI Browser"), ("huaweibrowser/", "Huawei Browser"),
        ("duckduckgo/", "DuckDuckGo"), ("silk/", "Amazon Silk"),
        ("firefox/", "Firefox"), ("fxios/", "Firefox"),
        ("crios/", "Chrome"), ("; wv)", "Android WebView"), ("chrome/", "Chrome"), ("chromium/", "Chrome"),
        ("version/", "Safari"), ("msie ", "Internet Explorer"), ("trident/", "Internet Explorer"),
    ];

    private static readonly (string Token, string Os)[] Systems =
    [
        ("windows phone", "Windows Phone"), ("windows", "Windows"), ("ipad", "iPadOS"), ("iphone", "iOS"), ("ipod", "iOS"),
        ("harmonyos", "HarmonyOS"), ("android", "Android"), ("cros", "ChromeOS"), ("mac os x", "macOS"), ("macintosh", "macOS"),
        ("tizen", "Tizen"), ("web0s", "webOS"), ("playstation", "PlayStation"), ("xbox", "Xbox"), ("linux", "Linux"),
        ("freebsd", "FreeBSD"), ("openbsd", "OpenBSD"),
    ];

    private static readonly string[] TabletTokens = ["ipad", "tablet", "kindle", "silk/", "playbook", "nexus 7", "nexus 10", "sm-t", "tab "];
    private static readonly string[] MobileTokens = ["mobi", "iphone", "ipod", "windows phone", "blackberry", "opera mini", "android"];
    private static readonly string[] OtherDeviceTokens = ["smart-tv", "smarttv", "tizen", "web0s", "appletv", "crkey", "playstation", "xbox", "nintendo"];

    public static DeviceInfo Classify(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent) || userAgent.Length > MaxLength)
        {
            return DeviceInfo.Unknown;
        }
        if (Cache.TryGetValue(userAgent, out var cached))
        {
            return cached;
        }
        var info = Parse(userAgent);
        // ConcurrentDictionary.Count takes every lock (measured at ~15 µs): count additions ourselves.
        if (Interlocked.Increment(ref _cached) > CacheLimit)
        {
            Cache.Clear(); // crude, but bounded: real traffic has far fewer distinct agents than this
            Interlocked.Exchange(ref _cached, 0);
        }
        Cache[userAgent] = info;
        return info;
    }

    private static DeviceInfo Parse(string userAgent)
    {
        foreach (var c in userAgent)
        {
            if (char.IsControl(c) || c == '\uFFFD')
            {
                return DeviceInfo.Unknown; // binary, or text that was not UTF-8: no browser sends that
            }
        }
        var ua = userAgent.ToLowerInvariant();
        var browser = First(ua, Browsers) ?? (ua.Contains("safari/", StringComparison.Ordinal) ? "Safari" : "Other");
        var os = First(ua, Systems) ?? "Other";
        if (IsBot(ua))
        {
            return new DeviceInfo(DeviceTypes.Bot, browser, os, IsBot: true);
        }
        // iOS apps show pages in a web view that names no browser: still Safari's engine, and worth telling apart.
        if (browser == "Other" && os is "iOS" or "iPadOS" && ua.Contains("applewebkit", StringComparison.Ordinal))
        {
            browser = "iOS WebView";
        }
        return new DeviceInfo(DeviceType(ua, os), browser, os, IsBot: false);
    }

    private static bool IsBot(string ua)
    {
        // Cubot phones put "bot" in their model names.
        var agent = ua.Contains("cubot", StringComparison.Ordinal) ? ua.Replace("cubot", "", StringComparison.Ordinal) : ua;
        return BotTokens.Any(token => agent.Contains(token, StringComparison.Ordinal));
    }

    private static string DeviceType(string ua, string os)
    {
        if (OtherDeviceTokens.Any(t => ua.Contains(t, StringComparison.Ordinal)))
        {
            return DeviceTypes.Other;
        }
        if (TabletTokens.Any(t => ua.Contains(t, StringComparison.Ordinal))
            || os == "Android" && !ua.Contains("mobile", StringComparison.Ordinal))
        {
            return DeviceTypes.Tablet;
        }
        if (MobileTokens.Any(t => ua.Contains(t, StringComparison.Ordinal)))
        {
            return DeviceTypes.Mobile;
        }
        return os is "Windows" or "macOS" or "Linux" or "ChromeOS" or "FreeBSD" or "OpenBSD" ? DeviceTypes.Desktop : DeviceTypes.Other;
    }

    private static string? First(string ua, (string Token, string Name)[] table)
    {
        foreach (var (token, name) in table)
        {
            if (ua.Contains(token, StringComparison.Ordinal))
            {
                return name;
            }
        }
        return null;
    }
}
