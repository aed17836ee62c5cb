using System.Globalization;
using System.Text.RegularExpressions;

namespace Utmost.Core.Common;

/// <summary>Parses the dates and date-times the API accepts: ISO 8601 only, never culture-dependent.</summary>
public static partial class DateInput
{
    // \z, not $: in .NET $ also matches before a final "\n".
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DateOnlyPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:?\d{2})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();

    /// <summary>An ISO 8601 date-time; without an offset it is taken as UTC.</summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value)
    {
        value = default;
        return text.Length <= 40
            && DateTimePattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    public static bool TryParseDate(string text, out DateOnly value)
    {
        value = default;
        return DateOnlyPattern().IsMatch(text)
            && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>
    /// A range bound given as a date or a date-time. A bare date is a whole day in <paramref name="zone"/>:
    /// as a start it means that day's first instant, as an end its last (so both bounds are inclusive).
    /// </summary>
    public static bool TryParseBound(string text, TimeZoneInfo zone, bool isEnd, out DateTimeOffset value)
    {
        value = default;
        if (TryParseDate(text, out var date))
        {
            // Years 1 and 9999 would overflow once shifted by a zone offset or a day; no event is that old or new.
            if (date.Year is < MinYear or > MaxYear)
            {
                return false;
            }
            var day = isEnd ? date.AddDays(1) : date;
            var instant = TimeZones.StartOfDay(day, zone);
            value = isEnd ? instant.AddMilliseconds(-1) : instant;
            return true;
        }
        return TryParseDateTime(text, out value) && value.Year is >= MinYear and <= MaxYear;
    }

    private const int MinYear = 1970;
    private const int MaxYear = 9000;
}
