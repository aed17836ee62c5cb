using Utmost.Core.Query;

namespace Utmost.Tests.Core;

public sealed class DateRangePresetsTests
{
    [Theory]
    [InlineData("today", "2026-03-01", "2026-03-01")]
    [InlineData("yesterday", "2026-02-28", "2026-02-28")]
    [InlineData("last_7_days", "2026-02-23", "2026-03-01")]
    [InlineData("last_30_days", "2026-01-31", "2026-03-01")]
    [InlineData("last_90_days", "2025-12-02", "2026-03-01")]
    [InlineData("last_365_days", "2025-03-02", "2026-03-01")]
    [InlineData("last_month", "2026-02-01", "2026-02-28")]
    [InlineData("last_12_months", "2025-04-01", "2026-03-01")]
    [InlineData("last_year", "2025-01-01", "2025-12-31")]
    public void Each_preset_is_the_whole_days_it_names_counted_from_today(string preset, string first, string last)
    {
        // 1 March 2026: the day after a short February, so month and day arithmetic cannot hide behind round numbers.
        var today = new DateOnly(2026, 3, 1);

        var range = DateRangePresets.Resolve(preset, today);

        Assert.Equal((DateOnly.Parse(first), DateOnly.Parse(last)), range);
    }

    [Fact]
    public void Last_n_days_hold_exactly_n_days_and_all_ends_today_with_no_first_day_of_its_own()
    {
        var today = new DateOnly(2024, 2, 29);
        foreach (var days in new[] { 7, 30, 90, 365 })
        {
            var (first, last) = DateRangePresets.Resolve($"last_{days}_days", today)!.Value;
            Assert.Equal(days, last.DayNumber - first.DayNumber + 1);
        }
        Assert.Equal((DateOnly.MinValue, today), DateRangePresets.Resolve(DateRangePresets.All, today));
        Assert.Null(DateRangePresets.Resolve("last_week", today));
        Assert.Equal(10, DateRangePresets.Names.Count);
        Assert.All(DateRangePresets.Names, name => Assert.NotNull(DateRangePresets.Resolve(name, today)));
    }
}
