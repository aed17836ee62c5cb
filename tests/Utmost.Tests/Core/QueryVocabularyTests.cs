using System.Text.Json;
using Utmost.Core.Common;
using Utmost.Core.Query;

namespace Utmost.Tests.Core;

public sealed class QueryVocabularyTests
{
    [Fact]
    public void Every_metric_name_parses_to_its_own_metric_and_nothing_else_does()
    {
        Assert.Equal(Enum.GetValues<Metric>().Length, QueryMetrics.Names.Count);
        foreach (var name in QueryMetrics.Names)
        {
            Assert.True(QueryMetrics.TryParse(name, out var metric));
            Assert.Equal(name, QueryMetrics.NameOf(metric));
        }
        Assert.False(QueryMetrics.TryParse("Visitors", out _));
        Assert.False(QueryMetrics.TryParse("foo", out _));
    }

    [Theory]
    [InlineData("visit:channel", DimensionKind.VisitChannel, null)]
    [InlineData("event:goal", DimensionKind.EventGoal, null)]
    [InlineData("time:week", DimensionKind.TimeWeek, null)]
    [InlineData("event:props:plan.tier", DimensionKind.EventProperty, "plan.tier")]
    public void Dimensions_parse_by_name_and_property_dimensions_keep_their_key(string name, DimensionKind kind, string? key)
    {
        var dimension = QueryDimensions.Parse(name, out var error);

        Assert.Null(error);
        Assert.Equal(new Dimension(kind, name, key), dimension);
    }

    [Theory]
    [InlineData("visit:colour", "Unknown dimension 'visit:colour'")]
    [InlineData("event:props:", "Invalid property ''")]
    [InlineData("event:props:a b", "Invalid property 'a b'")]
    public void Bad_dimensions_say_what_is_wrong(string name, string message)
    {
        Assert.Null(QueryDimensions.Parse(name, out var error));
        Assert.StartsWith(message, error);
    }

    private static (QueryFilter? Filter, IDictionary<string, string[]> Errors) Parse(string json)
    {
        var errors = new ValidationErrors();
        var filter = QueryFilters.Parse(JsonDocument.Parse(json).RootElement, "filters[0]", errors);
        return (filter, errors.ToDictionary());
    }

    [Fact]
    public void Nested_filters_parse_into_the_tree_they_spell()
    {
        var (filter, errors) = Parse("""
            ["and", [["is", "visit:source", ["google", "bing"]], ["not", ["contains", "event:page", ["/blog"]]],
                     ["or", [["matches", "event:props:plan", ["^pro"]], ["is_not", "visit:device", ["Mobile"]]]]]]
            """);

        Assert.Empty(errors);
        var google = new FilterCondition(FilterOperator.Is, new Dimension(DimensionKind.VisitSource, "visit:source"), ["google", "bing"]);
        var all = Assert.IsType<FilterAll>(filter);
        Assert.Equal(3, all.Filters.Count);
        Assert.Equal(google.Operator, Assert.IsType<FilterCondition>(all.Filters[0]).Operator);
        Assert.Equal(google.Values, ((FilterCondition)all.Filters[0]).Values);
        var blog = Assert.IsType<FilterCondition>(Assert.IsType<FilterNot>(all.Filters[1]).Filter);
        Assert.Equal((FilterOperator.Contains, DimensionKind.EventPage, "/blog"), (blog.Operator, blog.Dimension.Kind, blog.Values[0]));
        var any = Assert.IsType<FilterAny>(all.Filters[2]);
        Assert.Equal("plan", Assert.IsType<FilterCondition>(any.Filters[0]).Dimension.PropertyKey);
        Assert.Equal(FilterOperator.IsNot, Assert.IsType<FilterCondition>(any.Filters[1]).Operator);
    }

    [Theory]
    [InlineData("""["equals", "visit:source", ["google"]]""", "filters[0][0]", "Unknown operator 'equals'")]
    [InlineData("""["is", "visit:colour", ["red"]]""", "filters[0][1]", "Unknown dimension 'visit:colour'")]
    [InlineData("""["is", "time:day", ["2025-01-01"]]""", "filters[0][1]", "time is chosen with date_range")]
    [InlineData("""["is", "visit:source", []]""", "filters[0][2]", "must be 1 to")]
    [InlineData("""["is", "visit:source", [1]]""", "filters[0][2]", "must be 1 to")]
    [InlineData("""["is", "visit:source"]""", "filters[0]", "must be [\"is\"")]
    [InlineData("""["and", []]""", "filters[0]", "'and' takes one non-empty array")]
    [InlineData("""["and", [["is", "visit:source", ["a"]], ["is", "visit:nope", ["b"]]]]""", "filters[0][1][1][1]", "Unknown dimension")]
    [InlineData("""["matches", "event:page", ["(a)\\1"]]""", "filters[0][2][0]", "Unsupported pattern")]
    [InlineData("""["matches", "event:page", ["[a-"]]""", "filters[0][2][0]", "Invalid pattern")]
    [InlineData("""{"is": "visit:source"}""", "filters[0]", "must be an array")]
    public void Bad_filters_are_refused_naming_where_and_what(string json, string path, string message)
    {
        var (filter, errors) = Parse(json);

        Assert.Null(filter);
        Assert.True(errors.TryGetValue(path, out var messages), $"no error at {path}: {string.Join("; ", errors.Keys)}");
        Assert.Contains(messages!, m => m.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_pattern_that_backtracks_catastrophically_elsewhere_is_accepted_because_it_runs_in_linear_time_here()
    {
        Assert.Null(QueryFilters.PatternProblem("^(a+)+$"));
        Assert.NotNull(QueryFilters.PatternProblem(new string('a', QueryFilters.MaxPatternLength + 1)));
        var deep = string.Concat(Enumerable.Repeat("""["not", """, QueryFilters.MaxDepth + 1)) + """["is", "visit:source", ["a"]]""" +
            new string(']', QueryFilters.MaxDepth + 1);
        Assert.Contains(Parse(deep).Errors.Values.SelectMany(m => m), m => m.Contains("at most", StringComparison.Ordinal));
    }
}
