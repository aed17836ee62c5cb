namespace Utmost.Core.Query;

/// <summary>
/// The page of a URL as reports show it (Plausible's <c>event:page</c>): the path, without the scheme, host, query string
/// or fragment; "/" when there is none. Text without "://" is taken as a path already. Every engine computes the same
/// steps (see the dialects' UrlPath), so their answers agree.
/// </summary>
public static class UrlPaths
{
    public static string? PathOf(string? url)
    {
        if (url is null)
        {
            return null;
        }
        // 1. Up to the first '?' or '#'.
        var end = url.IndexOfAny(['?', '#']);
        var cut = end >= 0 ? url[..end] : url;
        // 2. After "scheme://host", from the first '/'.
        var scheme = cut.IndexOf("://", StringComparison.Ordinal);
        var path = cut;
        if (scheme >= 0)
        {
            var rest = cut[(scheme + 3)..];
            var slash = rest.IndexOf('/');
            path = slash >= 0 ? rest[slash..] : "";
        }
        // 3. The site's root when nothing is left.
        return path.Length == 0 ? "/" : path;
    }
}
