using System.Text;

namespace Utmost.Core.Common;

/// <summary>Rules every stored string obeys, whatever the backend: no NUL, valid UTF-16, bounded length.</summary>
public static class TextRules
{
    /// <summary>Length in Unicode scalar values, as PostgreSQL's VARCHAR(n) counts it.</summary>
    public static int LengthInCharacters(string value)
    {
        var count = 0;
        foreach (var c in value)
        {
            if (!char.IsLowSurrogate(c))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Returns an error message, or null when the value is acceptable.</summary>
    public static string? Check(string value, int maxLength)
    {
        if (value.Contains('\0'))
        {
            return "must not contain NUL characters";
        }
        if (!IsWellFormed(value))
        {
            return "must be valid Unicode text";
        }
        return LengthInCharacters(value) > maxLength ? $"must be at most {maxLength} characters" : null;
    }

    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Cuts a string to at most <paramref name="maxLength"/> characters without splitting a surrogate pair.</summary>
    public static string Truncate(string value, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (value.Length <= maxLength)
        {
            return value;
        }
        var cut = maxLength > 0 && char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength;
        return value[..cut];
    }

    /// <summary>Removes NUL and unpaired surrogates from text we did not choose (headers), instead of rejecting it.</summary>
    public static string Sanitize(string value)
    {
        if (!value.Contains('\0') && IsWellFormed(value))
        {
            return value;
        }
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (!char.IsSurrogate(c))
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
