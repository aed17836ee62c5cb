using System.Text.Json;
using System.Text.RegularExpressions;
using Utmost.Core.Common;

namespace Utmost.Core.Query;

public enum FilterOperator
{
    Is,
    IsNot,
    Contains,
    ContainsNot,
    Matches,
    MatchesNot,
}

/// <summary>A query filter: a condition on a dimension, or <c>and</c>/<c>or</c>/<c>not</c> over others.</summary>
public abstract record QueryFilter;

public sealed record FilterCondition(FilterOperator Operator, Dimension Dimension, IReadOnlyList<string> Values) : QueryFilter;

public sealed record FilterAll(IReadOnlyList<QueryFilter> Filters) : QueryFilter;

public sealed record FilterAny(IReadOnlyList<QueryFilter> Filters) : QueryFilter;

public sealed record FilterNot(QueryFilter Filter) : QueryFilter;

/// <summary>
/// Parses Plausible-style filters: <c>["is", "visit:source", ["google"]]</c>, <c>["and", [f, …]]</c>,
/// <c>["not", f]</c>. Every error names where it is (<c>filters[1][2]</c>) and what is wrong.
/// </summary>
public static class QueryFilters
{
    public const int MaxValues = 1_000;
    public const int MaxDepth = 8;
    public const int MaxPatternLength = 255;

    /// <summary>A <c>matches</c> pattern may not run longer than this on one value; the patterns are compiled non-backtracking.</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(50);

    private static readonly (FilterOperator Operator, string Name)[] Operators =
    [
        (FilterOperator.Is, "is"), (FilterOperator.IsNot, "is_not"), (FilterOperator.Contains, "contains"),
        (FilterOperator.ContainsNot, "contains_not"), (FilterOperator.Matches, "matches"), (FilterOperator.MatchesNot, "matches_not"),
    ];

    public static IReadOnlyList<string> OperatorNames { get; } = [.. Operators.Select(o => o.Name), "and", "or", "not"];

    public static QueryFilter? Parse(JsonElement filter, string path, ValidationErrors errors, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            return Fail(errors, path, $"filters may nest at most {MaxDepth} deep");
        }
        if (filter.ValueKind != JsonValueKind.Array || filter.GetArrayLength() == 0 || filter[0].ValueKind != JsonValueKind.String)
        {
            return Fail(errors, path, "must be an array starting with an operator: [\"is\", \"visit:source\", [\"google\"]]");
        }
        var op = filter[0].GetString()!;
        switch (op)
        {
            case "and" or "or":
                if (filter.GetArrayLength() != 2 || filter[1].ValueKind != JsonValueKind.Array || filter[1].GetArrayLength() == 0)
                {
                    return Fail(errors, path, $"'{op}' takes one non-empty array of filters: [\"{op}\", [filter, …]]");
                }
                var children = filter[1].EnumerateArray().Select((child, i) => Parse(child, $"{path}[1][{i}]", errors, depth + 1)).ToList();
                if (children.Any(c => c is null))
                {
                    return null;
                }
                return op == "and" ? new FilterAll(children!) : new FilterAny(children!);
            case "not":
                if (filter.GetArrayLength() != 2)
                {
                    return Fail(errors, path, "'not' takes one filter: [\"not\", filter]");
                }
                return Parse(filter[1], $"{path}[1]", errors, depth + 1) is { } inner ? new FilterNot(inner) : null;
        }
        var known = Operators.FirstOrDefault(o => o.Name == op);
        if (known.Name is null)
        {
            return Fail(errors, $"{path}[0]", $"Unknown operator '{op}'; one of {string.Join(", ", OperatorNames)}");
        }
        if (filter.GetArrayLength() != 3 || filter[1].ValueKind != JsonValueKind.String || filter[2].ValueKind != JsonValueKind.Array)
        {
            return Fail(errors, path, $"must be [\"{op}\", dimension, [values]]");
        }
        var dimension = QueryDimensions.Parse(filter[1].GetString()!, out var dimensionError);
        if (dimension is null)
        {
            return Fail(errors, $"{path}[1]", dimensionError!);
        }
        if (dimension.IsTime)
        {
            return Fail(errors, $"{path}[1]", "time is chosen with date_range, not filtered");
        }
        var values = filter[2];
        if (values.GetArrayLength() is 0 or > MaxValues || values.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            return Fail(errors, $"{path}[2]", $"must be 1 to {MaxValues} strings");
        }
        var texts = values.EnumerateArray().Select(v => v.GetString()!).ToList();
        if (known.Operator is FilterOperator.Matches or FilterOperator.MatchesNot)
        {
            foreach (var (pattern, i) in texts.Select((t, i) => (t, i)))
            {
                if (PatternProblem(pattern) is { } problem)
                {
                    return Fail(errors, $"{path}[2][{i}]", problem);
                }
            }
        }
        return new FilterCondition(known.Operator, dimension, texts);
    }

    /// <summary>
    /// Why a <c>matches</c> pattern is refused, or null. Patterns compile with the non-backtracking engine, so no
    /// pattern can take time exponential in the value (catastrophic backtracking); backreferences and lookarounds,
    /// which need backtracking, are refused with the reason.
    /// </summary>
    public static string? PatternProblem(string pattern)
    {
        if (pattern.Length > MaxPatternLength)
        {
            return $"a pattern may be at most {MaxPatternLength} characters";
        }
        try
        {
            _ = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, PatternTimeout);
            return null;
        }
        catch (NotSupportedException e)
        {
            return $"Unsupported pattern: {e.Message}";
        }
        catch (ArgumentException e)
        {
            return $"Invalid pattern: {e.Message}";
        }
    }

    public static string NameOf(FilterOperator op) => Operators.First(o => o.Operator == op).Name;

    /// <summary>The filter as the request wrote it (normalised): what a response echoes.</summary>
    public static object ToJson(QueryFilter filter) => filter switch
    {
        FilterCondition c => new object[] { NameOf(c.Operator), c.Dimension.Name, c.Values },
        FilterAll all => new object[] { "and", all.Filters.Select(ToJson).ToArray() },
        FilterAny any => new object[] { "or", any.Filters.Select(ToJson).ToArray() },
        FilterNot not => new object[] { "not", ToJson(not.Filter) },
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    /// <summary>
    /// Whether a row meets the filter, given its value of each dimension (null when it has none), with the meaning the
    /// SQL gives it: a missing value meets no positive condition and every negative one.
    /// </summary>
    public static bool Matches(QueryFilter filter, Func<Dimension, string?> valueOf) => filter switch
    {
        FilterAll all => all.Filters.All(f => Matches(f, valueOf)),
        FilterAny any => any.Filters.Any(f => Matches(f, valueOf)),
        FilterNot not => !Matches(not.Filter, valueOf),
        FilterCondition c => c.Operator is FilterOperator.Is or FilterOperator.Contains or FilterOperator.Matches
            ? Positive(c, valueOf(c.Dimension))
            : !Positive(c, valueOf(c.Dimension)),
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    private static bool Positive(FilterCondition c, string? value) => value is not null && c.Operator switch
    {
        FilterOperator.Is or FilterOperator.IsNot => c.Values.Contains(value, StringComparer.Ordinal),
        FilterOperator.Contains or FilterOperator.ContainsNot => c.Values.Any(v => value.Contains(v, StringComparison.Ordinal)),
        _ => c.Values.Any(p => Regex.IsMatch(value, p, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, PatternTimeout)),
    };

    private static QueryFilter? Fail(ValidationErrors errors, string path, string message)
    {
        errors.Add(path, message);
        return null;
    }
}
