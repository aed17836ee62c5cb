using Utmost.Core.Common;
using Utmost.Core.Costs;

namespace Utmost.Tests.Core;

public sealed class CostRowsTests
{
    [Fact]
    public void A_cost_file_is_read_whatever_its_column_order_delimiter_and_extra_columns()
    {
        var rows = CostCsv.Read(new StringReader("""
            Campaign;Date;Cost;Clicks;Impressions;Ad group;Currency
            "Summer; Sale";2025-06-01;123.456789;40;1200;Brand;usd

            brand_search;2025-06-02;0;;;Generic;
            """), defaultCurrency: "EUR");

        Assert.Equal(2, rows.Count);
        Assert.Equal(new CostRow(new DateOnly(2025, 6, 1), "Summer; Sale", null, null, 123_456_789, 40, 1200, "USD"), rows[0]);
        Assert.Equal(new CostRow(new DateOnly(2025, 6, 2), "brand_search", null, null, 0, null, null, "EUR"), rows[1]);
    }

    [Fact]
    public void A_source_is_normalised_as_ingestion_normalises_it()
    {
        var rows = CostCsv.Read(new StringReader("date,source,medium,cost\n2025-06-01,www.Google.de,CPC,10\n"), "EUR");

        Assert.Equal(("google", "cpc"), (rows[0].Source, rows[0].Medium));
        Assert.Equal(10_000_000, rows[0].CostMicros);
    }

    [Theory]
    [InlineData("date,campaign\n2025-06-01,x", 1, "header")]
    [InlineData("date,campaign,cost\n2025-06-01,x,1\n2025-13-01,x,1", 3, "'date' must be a date")]
    [InlineData("date,campaign,cost\n2025-06-01,x,-1", 2, "'cost' must be a number")]
    [InlineData("date,campaign,cost\n2025-06-01,x,\"1,5\"", 2, "'cost' must be a number")]
    [InlineData("date,campaign,cost\n2025-06-01,x,1e3", 2, "'cost' must be a number")]
    [InlineData("date,campaign,cost\n2025-06-01,x,1000000000001", 2, "'cost' must be a number")]
    [InlineData("date,campaign,source,cost\n2025-06-01,,,5", 2, "'campaign' give a campaign")]
    [InlineData("date,campaign,cost,clicks\n2025-06-01,x,1,-3", 2, "'clicks' must be a whole number")]
    [InlineData("date,campaign,cost,currency\n2025-06-01,x,1,EURO", 2, "'currency' must be an ISO 4217 code")]
    [InlineData("date,campaign,cost\n2025-06-01,\"x,1", 2, "not closed")]
    [InlineData("", 1, "empty")]
    public void A_bad_cost_file_names_the_first_bad_line_and_field(string csv, int line, string message)
    {
        var error = Assert.Throws<CostCsvException>(() => CostCsv.Read(new StringReader(csv), "EUR"));

        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Every_wrong_field_of_a_row_is_named_for_an_api_answer()
    {
        var fields = new Dictionary<string, string> { ["date"] = "June", ["cost"] = "free", ["impressions"] = "many", ["campaign"] = new string('x', 300) };
        var errors = new ValidationErrors();

        var row = CostRows.Parse(fields.GetValueOrDefault, "EUR", errors, prefix: "[2]");

        Assert.Null(row);
        Assert.Equal(["[2].campaign", "[2].cost", "[2].date", "[2].impressions"], errors.ToDictionary().Keys.Order());
    }
}
