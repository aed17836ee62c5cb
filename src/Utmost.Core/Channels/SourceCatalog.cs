using System.Collections.Frozen;
using Utmost.Core.Common;

namespace Utmost.Core.Channels;

/// <summary>GA4's source categories, plus webmail (a click from webmail is an email visit).</summary>
public enum SourceCategory
{
    None,
    Search,
    Social,
    Video,
    Shopping,
    Email,
}

/// <summary>
/// The well-known traffic sources of SourceCategories.txt: reduces a utm_source or referrer host to the name
/// Utmost reports (<c>www.google.co.uk</c> → <c>google</c>, <c>l.facebook.com</c> → <c>facebook</c>,
/// <c>t.co</c> → <c>twitter</c>) and says which category it belongs to.
/// </summary>
public static class SourceCatalog
{
    private static readonly FrozenDictionary<string, string> ExactHosts;
    private static readonly FrozenDictionary<string, string> Names;
    private static readonly FrozenDictionary<string, SourceCategory> Categories;

    static SourceCatalog()
    {
        var hosts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var categories = new Dictionary<string, SourceCategory>(StringComparer.OrdinalIgnoreCase);
        using var stream = typeof(SourceCatalog).Assembly.GetManifestResourceStream("Utmost.Core.Channels.SourceCategories.txt")
            ?? throw new InvalidOperationException("SourceCategories.txt is not embedded.");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length < 2 || fields[0].StartsWith('#'))
            {
                continue;
            }
            var category = Enum.Parse<SourceCategory>(fields[0], ignoreCase: true);
            var name = fields[1];
            if (!categories.TryAdd(name, category) || !names.TryAdd(name, name))
            {
                throw new InvalidOperationException($"SourceCategories.txt lists '{name}' twice.");
            }
            foreach (var alias in fields.Skip(2))
            {
                var added = alias.Contains('.') ? hosts.TryAdd(alias, name) : names.TryAdd(alias, name);
                if (!added)
                {
                    throw new InvalidOperationException($"SourceCategories.txt gives '{alias}' to two sources.");
                }
            }
        }
        ExactHosts = hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Names = names.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Categories = categories.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>How many sources the catalogue knows.</summary>
    public static int Count => Categories.Count;

    public static SourceCategory CategoryOf(string normalisedSource) =>
        Categories.GetValueOrDefault(normalisedSource);

    /// <summary>
    /// The reported name of a source given as a name (<c>Google</c>) or a host (<c>www.google.co.uk</c>): a known
    /// site's name, else an unknown host without <c>www.</c>, else the value lower-cased. Null when blank.
    /// </summary>
    public static string? Normalise(string? source)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            return null;
        }
        var value = source.Trim().ToLowerInvariant();
        if (value.Contains("://", StringComparison.Ordinal) && Urls.HostOf(value) is { } host)
        {
            value = host;
        }
        value = value.TrimEnd('.');
        if (value.StartsWith("www.", StringComparison.Ordinal))
        {
            value = value[4..];
        }
        if (ExactHosts.TryGetValue(value, out var exact) || Names.TryGetValue(value, out exact))
        {
            return exact;
        }
        if (value.Contains('.') && Names.TryGetValue(SiteName(value), out var site))
        {
            return site;
        }
        return value;
    }

    /// <summary>Whether a host is a webmail's (listed, or named webmail.*).</summary>
    public static bool IsWebmail(string host) =>
        host.StartsWith("webmail.", StringComparison.OrdinalIgnoreCase) || CategoryOf(Normalise(host) ?? "") == SourceCategory.Email;

    /// <summary>
    /// Reduces a host such as <c>www.google.co.uk</c> or <c>l.facebook.com</c> to the name that identifies the site
    /// (<c>google</c>, <c>facebook</c>): the label before the public suffix.
    /// </summary>
    public static string SiteName(string host)
    {
        var labels = host.Trim().TrimEnd('.').ToLowerInvariant().Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (labels.Length <= 1)
        {
            return labels.Length == 0 ? "" : labels[0];
        }
        // Two-part public suffixes such as co.uk, com.au, com.br: the site name sits one label further left.
        var suffixLabels = labels.Length >= 3 && IsSecondLevelSuffix(labels[^2], labels[^1]) ? 2 : 1;
        return labels[^(suffixLabels + 1)];
    }

    private static bool IsSecondLevelSuffix(string second, string top) =>
        top.Length == 2 && second is "co" or "com" or "org" or "net" or "ac" or "gov" or "ne" or "or" or "edu" or "gob" or "go";
}
