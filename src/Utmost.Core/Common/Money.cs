namespace Utmost.Core.Common;

/// <summary>Revenue is stored as whole micro-units (a millionth of the currency unit), so sums are exact on every engine.</summary>
public static class Money
{
    private const decimal MicrosPerUnit = 1_000_000m;

    public static long ToMicros(decimal amount) => (long)decimal.Round(amount * MicrosPerUnit, 0, MidpointRounding.ToEven);

    public static decimal FromMicros(long micros) => micros / MicrosPerUnit;
}
