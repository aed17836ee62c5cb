using Utmost.Core.Common;

namespace Utmost.Tests.Core;

public sealed class DateInputTests
{
    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0, int ms = 0) =>
        new(year, month, day, hour, minute, second, ms, TimeSpan.Zero);

    [Theory]
    [InlineData("2025-06-01T10:00:00Z", "2025-06-01T10:00:00.0000000Z")]
    [InlineData("2025-06-01T10:00:00z", "2025-06-01T10:00:00.0000000Z")]
    [InlineData("2025-06-01T10:00Z", "2025-06-01T10:00:00.0000000Z")]
    [InlineData("2025-06-01T10:00", "2025-06-01T10:00:00.0000000Z")]
    [InlineData("2025-06-01 10:00:00", "2025-06-01T10:00:00.0000000Z")]
    [InlineData("2025-06-01T10:00:00.5Z", "2025-06-01T10:00:00.5000000Z")]
    [InlineData("2025-06-01T10:00:00.1234567Z", "2025-06-01T10:00:00.1234567Z")]
    [InlineData("2025-06-01T10:00:00+02:00", "2025-06-01T08:00:00.0000000Z")]
    [InlineData("2025-06-01T10:00:00-0330", "2025-06-01T13:30:00.0000000Z")]
    [InlineData("2025-06-01T00:30:00+05:45", "2025-05-31T18:45:00.0000000Z")]
    [InlineData("2024-02-29T23:59:59Z", "2024-02-29T23:59:59.0000000Z")]
    public void Iso_date_times_are_accepted_as_utc_instants(string text, string expectedRoundTrip)
    {
        var expected = DateTimeOffset.ParseExact(expectedRoundTrip, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'",
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);

        Assert.True(DateInput.TryParseDateTime(text, out var value));
        Assert.Equal(expected, value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Fact]
    public void A_date_time_without_offset_is_utc_whatever_the_machine_zone()
    {
        Assert.True(DateInput.TryParseDateTime("2025-01-15T08:00:00", out var value));

        Assert.Equal(Utc(2025, 1, 15, 8), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("01/02/2025")]
    [InlineData("01/02/2025 10:00")]
    [InlineData("1.2.2025 10:00")]
    [InlineData("June 1, 2025 10:00")]
    [InlineData("Sun, 01 Jun 2025 10:00:00 GMT")]
    [InlineData("2025-06-01")]
    [InlineData("2025-6-1T10:00:00Z")]
    [InlineData("20250601T100000Z")]
    [InlineData("2025-06-01T10")]
    [InlineData("2025-06-01T10:00:00 Z")]
    [InlineData(" 2025-06-01T10:00:00Z")]
    [InlineData("2025-06-01T10:00:00Z ")]
    [InlineData("2025-06-01T10:00:00Z\n")]
    [InlineData("2025-06-01T10:00:00\n")]
    [InlineData("2025-06-01T25:00:00Z")]
    [InlineData("2025-06-01T10:60:00Z")]
    [InlineData("2025-02-29T10:00:00Z")]
    [InlineData("2025-13-01T10:00:00Z")]
    [InlineData("2025-06-01T10:00:00.12345678Z")]
    [InlineData("2025-06-01T10:00:00+2")]
    [InlineData("2025-06-01T10:00:00+15:00")]
    [InlineData("2025-06-01T10:00:00UTC")]
    [InlineData("\uff12\uff10\uff12\uff15-06-01T10:00:00Z")]
    [InlineData("\u0662\u0660\u0662\u0665-\u0660\u0666-\u0660\u0661T10:00:00Z")]
    public void Other_date_time_forms_are_rejected(string text)
    {
        Assert.False(DateInput.TryParseDateTime(text, out _));
    }

    [Theory]
    [InlineData("2025-06-01", 2025, 6, 1)]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("0001-01-01", 1, 1, 1)]
    [InlineData("9999-12-31", 9999, 12, 31)]
    public void Iso_dates_are_accepted(string text, int year, int month, int day)
    {
        Assert.True(DateInput.TryParseDate(text, out var value));
        Assert.Equal(new DateOnly(year, month, day), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("01/02/2025")]
    [InlineData("02.01.2025")]
    [InlineData("2025/06/01")]
    [InlineData("2025-6-1")]
    [InlineData("20250601")]
    [InlineData("2025-02-29")]
    [InlineData("2025-04-31")]
    [InlineData("2025-00-10")]
    [InlineData("2025-06-01T00:00:00Z")]
    [InlineData(" 2025-06-01")]
    [InlineData("2025-06-01\n")]
    [InlineData("\u0662\u0660\u0662\u0665-\u0660\u0666-\u0660\u0661")]
    public void Other_date_forms_are_rejected(string text)
    {
        Assert.False(DateInput.TryParseDate(text, out _));
    }

    [Theory]
    // Berlin on the DST days: 2025-03-30 is 23 hours long, 2025-10-26 is 25 hours long.
    [InlineData("Europe/Berlin", "2025-03-30", "2025-03-29T23:00:00Z", "2025-03-30T21:59:59.999Z")]
    [InlineData("Europe/Berlin", "2025-10-26", "2025-10-25T22:00:00Z", "2025-10-26T22:59:59.999Z")]
    [InlineData("Europe/Berlin", "2025-01-15", "2025-01-14T23:00:00Z", "2025-01-15T22:59:59.999Z")]
    [InlineData("America/New_York", "2025-06-01", "2025-06-01T04:00:00Z", "2025-06-02T03:59:59.999Z")]
    [InlineData("Asia/Kolkata", "2025-01-01", "2024-12-31T18:30:00Z", "2025-01-01T18:29:59.999Z")]
    [InlineData("Asia/Kathmandu", "2025-01-01", "2024-12-31T18:15:00Z", "2025-01-01T18:14:59.999Z")]
    [InlineData("UTC", "2025-01-01", "2025-01-01T00:00:00Z", "2025-01-01T23:59:59.999Z")]
    public void A_bare_date_bound_covers_the_whole_local_day(string zoneId, string date, string expectedStart, string expectedEnd)
    {
        var zone = Zone(zoneId);

        Assert.True(DateInput.TryParseBound(date, zone, isEnd: false, out var start));
        Assert.True(DateInput.TryParseBound(date, zone, isEnd: true, out var end));

        Assert.Equal(DateTimeOffset.Parse(expectedStart, System.Globalization.CultureInfo.InvariantCulture), start);
        Assert.Equal(DateTimeOffset.Parse(expectedEnd, System.Globalization.CultureInfo.InvariantCulture), end);
        // Independently: start is local midnight, end is local 23:59:59.999 of the same calendar day.
        Assert.Equal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue),
            TimeZoneInfo.ConvertTime(start, zone).DateTime);
        Assert.Equal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(new TimeOnly(23, 59, 59, 999)),
            TimeZoneInfo.ConvertTime(end, zone).DateTime);
    }

    [Fact]
    public void A_day_whose_midnight_does_not_exist_starts_at_the_first_valid_instant()
    {
        // Chile springs forward at local midnight: 2024-09-08 00:00 becomes 01:00 (-04:00 to -03:00).
        var zone = Zone("America/Santiago");
        Assert.True(zone.IsInvalidTime(new DateTime(2024, 9, 8, 0, 0, 0, DateTimeKind.Unspecified)));

        Assert.True(DateInput.TryParseBound("2024-09-08", zone, isEnd: false, out var start));
        Assert.True(DateInput.TryParseBound("2024-09-07", zone, isEnd: true, out var previousEnd));

        Assert.Equal(Utc(2024, 9, 8, 4), start);
        Assert.Equal(Utc(2024, 9, 8, 3, 59, 59, 999), previousEnd);
    }

    [Fact]
    public void A_day_whose_midnight_happens_twice_starts_at_the_first_one()
    {
        // Cuba falls back at 01:00 daylight time to 00:00 standard: 2024-11-03 00:00 occurs at -04:00 and -05:00.
        var zone = Zone("America/Havana");
        Assert.True(zone.IsAmbiguousTime(new DateTime(2024, 11, 3, 0, 0, 0, DateTimeKind.Unspecified)));

        Assert.True(DateInput.TryParseBound("2024-11-03", zone, isEnd: false, out var start));
        Assert.True(DateInput.TryParseBound("2024-11-02", zone, isEnd: true, out var previousEnd));

        Assert.Equal(Utc(2024, 11, 3, 4), start);
        Assert.Equal(Utc(2024, 11, 3, 3, 59, 59, 999), previousEnd);
    }

    [Fact]
    public void A_date_time_bound_is_taken_as_given_not_widened()
    {
        var zone = Zone("Europe/Berlin");

        Assert.True(DateInput.TryParseBound("2025-06-01T10:00:00+02:00", zone, isEnd: true, out var end));
        Assert.True(DateInput.TryParseBound("2025-06-01T10:00:00", zone, isEnd: false, out var start));

        Assert.Equal(Utc(2025, 6, 1, 8), end);
        Assert.Equal(Utc(2025, 6, 1, 10), start);
    }

    [Theory]
    [InlineData("01/02/2025")]
    [InlineData("today")]
    [InlineData("")]
    [InlineData("2025-02-30")]
    public void A_bad_bound_is_rejected(string text)
    {
        Assert.False(DateInput.TryParseBound(text, TimeZoneInfo.Utc, isEnd: false, out _));
        Assert.False(DateInput.TryParseBound(text, TimeZoneInfo.Utc, isEnd: true, out _));
    }
}
