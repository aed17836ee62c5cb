using System.Text.Json;
using Utmost.Core.Common;
using Utmost.Core.Query;

namespace Utmost.Tests.Core;

public sealed class QueryParserTests
{
    private static (AnalyticsQuery? Query, IDictionary<string, string[]> Errors) Parse(string json)
    {
        var errors = new ValidationErrors();
        var query = QueryParser.Parse(JsonDocument.Parse(json).RootElement, errors);
        return (query, errors.ToDictionary());
    }

    [Fact]
    public void A_full_query_parses_into_its_typed_parts()
    {
        var (query, errors) = Parse("""
            {"metrics": ["visitors", "conversion_rate"], "date_range": ["2025-01-01", "2025-01-31T12:00:00Z"],
             "dimensions": ["visit:channel", "time:day"], "filters": [["is", "visit:device", ["Mobile"]]],
             "order_by": [["visitors", "desc"], ["time:day", "asc"]],
             "include": {"comparisons": "year_over_year", "time_labels": true}, "pagination": {"limit": 50, "offset": 100}}
            """);

        Assert.Empty(errors);
        Assert.NotNull(query);
        Assert.Equal([Metric.Visitors, Metric.ConversionRate], query.Metrics);
        Assert.Equal(new QueryDateRange(null, "2025-01-01", "2025-01-31T12:00:00Z"), query.DateRange);
        Assert.Equal([DimensionKind.VisitChannel, DimensionKind.TimeDay], query.Dimensions.Select(d => d.Kind));
        Assert.Equal(DimensionKind.VisitDevice, Assert.IsType<FilterCondition>(Assert.Single(query.Filters)).Dimension.Kind);
        Assert.Equal([new QueryOrder("visitors", true), new QueryOrder("time:day", false)], query.OrderBy);
        Assert.Equal(new QueryInclude(Comparison.YearOverYear, TimeLabels: true), query.Include);
        Assert.Equal((50, 100), (query.Limit, query.Offset));
    }

    [Fact]
    public void The_smallest_query_takes_the_defaults()
    {
        var (query, errors) = Parse("""{"metrics": ["pageviews"], "date_range": "last_30_days"}""");

        Assert.Empty(errors);
        Assert.Equal((new QueryDateRange("last_30_days"), 0, 0, QueryParser.DefaultLimit), (query!.DateRange, query.Dimensions.Count, query.Filters.Count, query.Limit));
    }

    [Theory]
    [InlineData("""{"metrics": ["visitors", "foo"], "date_range": "today"}""", "metrics[1]", "Unknown metric 'foo'")]
    [InlineData("""{"metrics": ["visitors", "visitors"], "date_range": "today"}""", "metrics[1]", "Metric 'visitors' is asked for twice")]
    [InlineData("""{"metrics": [], "date_range": "today"}""", "metrics", "must be a non-empty array")]
    [InlineData("""{"date_range": "today"}""", "metrics", "must be a non-empty array")]
    [InlineData("""{"metrics": ["visits"], "date_range": "last_week"}""", "date_range", "Unknown date range 'last_week'")]
    [InlineData("""{"metrics": ["visits"], "date_range": ["2025-02-01", "2025-01-01"]}""", "date_range", "the end is before the start")]
    [InlineData("""{"metrics": ["visits"], "date_range": ["2025-02-01", "soon"]}""", "date_range[1]", "must be a preset")]
    [InlineData("""{"metrics": ["visits"]}""", "date_range", "must be a preset")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "dimensions": ["time:day", "time:week"]}""", "dimensions[1]", "at most one time dimension")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "dimensions": ["visit:colour"]}""", "dimensions[0]", "Unknown dimension 'visit:colour'")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "dimensions": [3]}""", "dimensions[0]", "must be a dimension name")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "order_by": [["visitors", "desc"]]}""", "order_by[0]", "'visitors' is not among")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "order_by": [["visits", 1]]}""", "order_by[0]", "must be [name")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "pagination": {"limit": 10001}}""", "pagination.limit", "must be a whole number from 1 to 10,000")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "include": {"comparisons": "last_year"}}""", "include.comparisons", "must be previous_period")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "include": {"colours": true}}""", "include.colours", "Unknown key 'colours'")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "filters": [["is", "visit:nope", ["x"]]]}""", "filters[0][1]", "Unknown dimension")]
    [InlineData("""{"metrics": ["visits"], "date_range": "today", "site_id": "x"}""", "site_id", "Unknown key 'site_id'")]
    [InlineData("""["visits"]""", "body", "must be a JSON object")]
    public void Every_bad_part_is_named_with_what_is_wrong(string json, string field, string message)
    {
        var (query, errors) = Parse(json);

        Assert.Null(query);
        Assert.True(errors.TryGetValue(field, out var messages), $"no error at {field}: {string.Join("; ", errors.Keys)}");
        Assert.Contains(messages!, m => m.StartsWith(message, StringComparison.Ordinal));
    }
}
