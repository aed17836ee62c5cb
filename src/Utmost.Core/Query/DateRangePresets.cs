namespace Utmost.Core.Query;

/// <summary>
/// The named date ranges of the seeds (Glamlink's DATE_RANGE_PRESETS, AquaScene's periods), as whole days in the
/// tenant's zone. "Last N days" are the N days ending today, today included, as Plausible counts them; "last
/// month" and "last year" are the calendar ones before the current; "last 12 months" are the current month and
/// the eleven before it.
/// </summary>
public static class DateRangePresets
{
    public const string All = "all";

    public static IReadOnlyList<string> Names { get; } =
        ["today", "yesterday", "last_7_days", "last_30_days", "last_90_days", "last_365_days", "last_month", "last_12_months", "last_year", All];

    /// <summary>
    /// The first and last day of the preset, or null when the name is unknown. <see cref="All"/> has no first day of
    /// its own (the caller takes the tenant's first event): it comes back as <see cref="DateOnly.MinValue"/>.
    /// </summary>
    public static (DateOnly First, DateOnly Last)? Resolve(string name, DateOnly today)
    {
        var startOfMonth = new DateOnly(today.Year, today.Month, 1);
        return name switch
        {
            "today" => (today, today),
            "yesterday" => (today.AddDays(-1), today.AddDays(-1)),
            "last_7_days" => LastDays(today, 7),
            "last_30_days" => LastDays(today, 30),
            "last_90_days" => LastDays(today, 90),
            "last_365_days" => LastDays(today, 365),
            "last_month" => (startOfMonth.AddMonths(-1), startOfMonth.AddDays(-1)),
            "last_12_months" => (startOfMonth.AddMonths(-11), today),
            "last_year" => (new DateOnly(today.Year - 1, 1, 1), new DateOnly(today.Year - 1, 12, 31)),
            All => (DateOnly.MinValue, today),
            _ => null,
        };
    }

    private static (DateOnly, DateOnly) LastDays(DateOnly today, int days) => (today.AddDays(1 - days), today);
}
