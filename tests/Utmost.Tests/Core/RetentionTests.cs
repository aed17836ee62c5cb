using Utmost.Events;

namespace Utmost.Tests.Core;

public sealed class RetentionTests
{
    [Theory]
    [InlineData("2026-11-21T13:00:00Z", 0, "2026-11-01T00:00:00Z")]
    [InlineData("2026-11-21T13:00:00Z", 3, "2026-08-01T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00Z", 1, "2025-12-01T00:00:00Z")]
    [InlineData("2026-03-31T23:59:59Z", 25, "2024-02-01T00:00:00Z")]
    public void The_oldest_kept_month_is_the_current_month_minus_the_retained_months(string now, int months, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            EventRetention.OldestKeptMonth(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), months));
    }
}
