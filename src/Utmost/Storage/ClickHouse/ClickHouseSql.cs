using System.Globalization;
using System.Text;

namespace Utmost.Storage.ClickHouse;

/// <summary>
/// Turns values into ClickHouse SQL literals. ClickHouse 18.16 has no query parameters, so every value that
/// reaches SQL text passes through <see cref="Literal(string?)"/> (or is sent in an INSERT body instead).
/// </summary>
public static class ClickHouseSql
{
    /// <summary>A quoted string literal: backslash, quote and control characters escaped; other text kept as UTF-8.</summary>
    public static string Literal(string? value)
    {
        if (value is null)
        {
            return "NULL";
        }
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '\'': builder.Append(@"\'"); break;
                case '\0': builder.Append(@"\0"); break;
                case '\n': builder.Append(@"\n"); break;
                case '\r': builder.Append(@"\r"); break;
                case '\t': builder.Append(@"\t"); break;
                case '\b': builder.Append(@"\b"); break;
                case '\f': builder.Append(@"\f"); break;
                default:
                    if (c < 0x20 || c == 0x7F)
                    {
                        builder.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
        return builder.Append('\'').ToString();
    }

    public static string Literal(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An array literal of strings, for <c>IN</c> and <c>has()</c>.</summary>
    public static string Literal(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => Literal(v))) + "]";

    /// <summary>
    /// Fills <c>{name}</c> placeholders of a fixed SQL template with escaped literals in one pass, so a value
    /// that itself contains <c>{other}</c> is never expanded. Unknown or unused placeholders are errors.
    /// </summary>
    public static string Format(string template, IReadOnlyDictionary<string, string> literals)
    {
        var builder = new StringBuilder(template.Length + 64);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                builder.Append(template, i, template.Length - i);
                break;
            }
            var close = template.IndexOf('}', open + 1);
            if (close < 0)
            {
                throw new FormatException("An unclosed '{' in a SQL template.");
            }
            builder.Append(template, i, open - i);
            var name = template[(open + 1)..close];
            if (!literals.TryGetValue(name, out var literal))
            {
                throw new FormatException($"The SQL template uses '{{{name}}}', which was not given.");
            }
            builder.Append(literal);
            used.Add(name);
            i = close + 1;
        }
        if (used.Count != literals.Count)
        {
            throw new FormatException($"Values given but not used: {string.Join(", ", literals.Keys.Except(used))}.");
        }
        return builder.ToString();
    }
}
