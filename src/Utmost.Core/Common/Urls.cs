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
}
