using Utmost.Core.Metrics;

namespace Utmost.Tests.Core;

public sealed class MarketingRatesTests
{
    [Theory]
    [InlineData(1, 4, 25.0)]
    [InlineData(0, 10, 0.0)]
    [InlineData(10, 10, 100.0)]
    [InlineData(3, 2, 150.0)]
    [InlineData(1, 3, 33.33)]
    [InlineData(2, 3, 66.67)]
    [InlineData(1, 7, 14.29)]
    [InlineData(1, 16, 6.25)]
    // Halfway cases round away from zero: 0.125 → 0.13, 0.375 → 0.38, 1.005 → 1.01, 2.675 → 2.68.
    [InlineData(1, 800, 0.13)]
    [InlineData(3, 800, 0.38)]
    [InlineData(201, 20_000, 1.01)]
    [InlineData(107, 4_000, 2.68)]
    [InlineData(1, 1_600, 0.06)]
    [InlineData(1, 1_000_000, 0.0)]
    [InlineData(5, 1_000_000, 0.0)]
    public void Percent_is_rounded_to_two_decimals_half_away_from_zero(long part, long whole, double expected)
    {
        Assert.Equal(expected, MarketingRates.Percent(part, whole));
    }

    [Fact]
    public void Percent_of_a_very_large_whole_does_not_overflow()
    {
        Assert.Equal(50.0, MarketingRates.Percent(long.MaxValue / 2, long.MaxValue - 1));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 0)]
    [InlineData(5, -3)]
    public void Percent_without_a_whole_is_zero(long part, long whole)
    {
        Assert.Equal(0.0, MarketingRates.Percent(part, whole));
    }

    [Theory]
    [InlineData("100", 4, "25")]
    [InlineData("10", 3, "3.33")]
    [InlineData("20", 3, "6.67")]
    [InlineData("100", 7, "14.29")]
    [InlineData("0.05", 2, "0.03")]
    [InlineData("1", 8, "0.13")]
    [InlineData("0.01", 3, "0")]
    [InlineData("99999999.99", 1, "99999999.99")]
    [InlineData("0", 5, "0")]
    public void PerUnit_is_rounded_to_cents_half_away_from_zero(string money, long units, string expected)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;

        Assert.Equal(decimal.Parse(expected, inv), MarketingRates.PerUnit(decimal.Parse(money, inv), units));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void PerUnit_without_units_is_zero(long units)
    {
        Assert.Equal(0m, MarketingRates.PerUnit(123.45m, units));
    }
}
