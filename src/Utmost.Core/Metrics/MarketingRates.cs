namespace Utmost.Core.Metrics;

/// <summary>The ratios the marketing reports share, defined once.</summary>
public static class MarketingRates
{
    /// <summary>part / whole × 100, rounded to two decimals; 0 when there is no whole.</summary>
    /// <remarks>Computed in decimal: in double, 201 / 20,000 = 1.005 % is 1.00499… and would round down.</remarks>
    public static double Percent(long part, long whole) =>
        whole > 0 ? (double)Math.Round(part * 100m / whole, 2, MidpointRounding.AwayFromZero) : 0;

    /// <summary>Money per unit (cost per lead), rounded to cents; 0 when there are no units.</summary>
    public static decimal PerUnit(decimal money, long units) =>
        units > 0 ? Math.Round(money / units, 2, MidpointRounding.AwayFromZero) : 0m;
}
