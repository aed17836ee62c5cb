namespace Utmost.Tenancy;

/// <summary>Web origins as browsers name them in the Origin header: <c>scheme://host</c>, with the port when not the scheme's own.</summary>
public static class WebOrigins
{
    public const int MaxPerTenant = 50;

    /// <summary>The origin <paramref name="text"/> names (a path of "/" is allowed, nothing more), or null.</summary>
    public static string? Normalize(string? text)
    {
        if (text is null || text.Length > 255 || !Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0
            || uri.Fragment.Length > 0 || uri.Host.Length == 0)
        {
            return null;
        }
        return uri.IsDefaultPort ? $"{uri.Scheme}://{uri.Host}" : $"{uri.Scheme}://{uri.Host}:{uri.Port}";
    }

    /// <summary>Whether a page of <paramref name="origin"/> (the request's Origin header) may send the tenant's events.</summary>
    public static bool Allows(Tenant tenant, string origin) =>
        tenant.AllowedOrigins.Count == 0 || (Normalize(origin) is { } normalized && tenant.AllowedOrigins.Contains(normalized, StringComparer.Ordinal));
}
