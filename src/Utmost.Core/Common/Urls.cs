namespace Utmost.Core.Common;

public static class Urls
{
    /// <summary>
    /// The lower-case host of an http(s) URL, or the authority of another scheme's (android-app://com.google.android.gm);
    /// null for anything without one. Never throws: referrers and landing URLs arrive in every shape.
    /// </summary>
    public static string? HostOf(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        if (PlainHttpHost(url) is { } plain)
        {
            return plain;
        }
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri.IdnHost.ToLowerInvariant();
        }
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

    /// <summary>
    /// The host of an everyday http(s) URL (an ASCII name or IPv4 address) without building a Uri, which costs more
    /// than the rest of classifying an event; null for anything else, which goes the careful way.
    /// </summary>
    private static string? PlainHttpHost(string url)
    {
        var schemeLength = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8
            : url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7 : 0;
        if (schemeLength == 0)
        {
            return null;
        }
        var end = schemeLength;
        var hasUpper = false;
        for (; end < url.Length; end++)
        {
            var c = url[end];
            if (c is '/' or '?' or '#' or ':')
            {
                break;
            }
            if (c is (< 'a' or > 'z') and (< '0' or > '9') and not '.' and not '-')
            {
                if (c is < 'A' or > 'Z')
                {
                    return null; // user info, IPv6, percent-encoding, Unicode: leave it to Uri
                }
                hasUpper = true;
            }
        }
        if (end == schemeLength || end < url.Length && url[end] == ':' && !IsPort(url.AsSpan(end + 1)))
        {
            return null;
        }
        var host = url[schemeLength..end];
        return hasUpper ? host.ToLowerInvariant() : host;
    }

    private static bool IsPort(ReadOnlySpan<char> rest)
    {
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }
        return digits > 0 && (digits == rest.Length || rest[digits] is '/' or '?' or '#');
    }
}
