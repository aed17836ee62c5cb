using Utmost.Core.Attribution;

namespace Utmost.Tests.Core;

public sealed class AttributionInputTests
{
    [Fact]
    public void A_path_table_is_read_with_either_delimiter_and_quoted_fields()
    {
        var comma = AttributionInput.ReadPathTable(new StringReader("""
            total_null,path,total_conversions,total_conversion_value
            2,"Email > Paid Search, Brand",3,299.5

            1,Display,0,0
            """));
        Assert.Equal(2, comma.Count);
        Assert.Equal(["Email", "Paid Search, Brand"], comma[0].Touches.Select(t => t.Channel));
        Assert.Equal((3.0, 299.5, 2.0), (comma[0].Conversions, comma[0].Value, comma[0].Nulls));
        Assert.All(comma[0].Touches, t => Assert.Null(t.AtMs));

        var semicolon = AttributionInput.ReadPathTable(new StringReader("path;total_conversions;total_conversion_value;total_null\nA>B > C;1;10;0\n"));
        Assert.Equal(["A", "B", "C"], semicolon[0].Touches.Select(t => t.Channel));
    }

    [Theory]
    [InlineData("path,total_conversions,total_null\nA,1,0", 1, "header")]
    [InlineData("path,total_conversions,total_conversion_value,total_null\nA,1,10,0\nB,x,0,0", 3, "total_conversions")]
    [InlineData("path,total_conversions,total_conversion_value,total_null\nA,1,-5,0", 2, "total_conversion_value")]
    [InlineData("path,total_conversions,total_conversion_value,total_null\n\" > \",1,0,0", 2, "no channel")]
    [InlineData("path,total_conversions,total_conversion_value,total_null\n\"A,1,0,0", 2, "not closed")]
    [InlineData("path,total_conversions,total_conversion_value,total_null\nA,1", 2, "fields")]
    public void A_bad_path_table_names_the_line_and_the_problem(string csv, int line, string message)
    {
        var error = Assert.Throws<AttributionInputException>(() => AttributionInput.ReadPathTable(new StringReader(csv)));
        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Journeys_are_read_with_their_times_and_optional_conversion()
    {
        var journeys = AttributionInput.ReadJourneys(new StringReader("""
            {"id": "a", "touchpoints": [{"channel": "Email", "timestamp": "2025-06-01T10:00:00+02:00", "source": "newsletter"}], "conversion": {"timestamp": "2025-06-02T00:00:00Z", "value": 12.5}}
            {"id": 7, "touchpoints": []}
            """));
        Assert.Equal(2, journeys.Count);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), journeys[0].Touchpoints[0].AtMs);
        Assert.Equal("newsletter", journeys[0].Touchpoints[0].Source);
        Assert.Equal(12.5, journeys[0].Conversion!.Value);
        Assert.Equal("7", journeys[1].Id);
        Assert.Null(journeys[1].Conversion);
    }

    [Theory]
    [InlineData("[1, 2]", "JSON object")]
    [InlineData("{\"touchpoints\": {}}", "'touchpoints' must be an array")]
    [InlineData("{\"touchpoints\": [{\"channel\": \"\"}]}", "touchpoints[0].channel")]
    [InlineData("{\"touchpoints\": [], \"conversion\": {\"value\": 3}}", "conversion.timestamp")]
    [InlineData("{\"touchpoints\": [], \"conversion\": {\"timestamp\": \"2025-06-01T00:00:00Z\", \"value\": -1}}", "conversion.value")]
    [InlineData("{\"touchpoints\": [", "not valid JSON")]
    public void A_bad_journey_line_names_its_number_and_field(string line, string message)
    {
        var error = Assert.Throws<AttributionInputException>(() =>
            AttributionInput.ReadJourneys(new StringReader("{\"id\": \"ok\", \"touchpoints\": []}\n\n" + line)));
        Assert.Equal(3, error.Line);
        Assert.Contains(message, error.Message);
    }
}
