using System.Globalization;
using Utmost.Core.Channels;
using Utmost.Core.Common;

namespace Utmost.Core.Costs;

/// <summary>
/// One day's advertising cost of a campaign, or of a source/medium (what ad platforms export), with the clicks and
/// impressions when known. Money is in micro-units of <see cref="Currency"/>.
/// </summary>
public sealed record CostRow(DateOnly Date, string? Campaign, string? Source, string? Medium, long CostMicros, long? Clicks, long? Impressions,
    string Currency);

/// <summary>Builds cost rows from text fields (a CSV line or a JSON object), naming each field that is wrong.</summary>
public static class CostRows
{
    public const int MaxTextLength = 255;

    /// <summary>The most a single row may cost: anything above is a typo or an attack, not a day's spend.</summary>
    public const decimal MaxCost = 1_000_000_000_000m;

    public static readonly IReadOnlyList<string> Fields = ["date", "campaign", "source", "medium", "cost", "clicks", "impressions", "currency"];

    /// <summary>
    /// The row from <paramref name="field"/> (a field's text by name, null when absent), or null with the reasons
    /// in <paramref name="errors"/> under <paramref name="prefix"/>. The source is normalised as ingestion normalises
    /// it (<c>www.google.de</c> → <c>google</c>), so costs meet the events they paid for.
    /// </summary>
    public static CostRow? Parse(Func<string, string?> field, string defaultCurrency, ValidationErrors errors, string prefix = "")
    {
        var before = errors.Count;
        DateOnly date = default;
        if (Value(field, "date") is not { } dateText)
        {
            errors.Add(ValidationErrors.Join(prefix, "date"), "is required");
        }
        else if (!DateInput.TryParseDate(dateText, out date))
        {
            errors.Add(ValidationErrors.Join(prefix, "date"), "must be a date, YYYY-MM-DD");
        }
        var campaign = Text(field, "campaign", errors, prefix);
        var source = Text(field, "source", errors, prefix);
        var medium = Text(field, "medium", errors, prefix);
        if (campaign is null && source is null)
        {
            errors.Add(ValidationErrors.Join(prefix, "campaign"), "give a campaign, or a source (with a medium)");
        }
        long costMicros = 0;
        if (Value(field, "cost") is not { } costText)
        {
            errors.Add(ValidationErrors.Join(prefix, "cost"), "is required");
        }
        else if (!decimal.TryParse(costText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost)
                 || cost < 0 || cost > MaxCost)
        {
            errors.Add(ValidationErrors.Join(prefix, "cost"), $"must be a number from 0 to {MaxCost:0} (a point for decimals)");
        }
        else
        {
            costMicros = Money.ToMicros(cost);
        }
        var clicks = Count(field, "clicks", errors, prefix);
        var impressions = Count(field, "impressions", errors, prefix);
        var currency = defaultCurrency;
        if (Value(field, "currency") is { } currencyText)
        {
            currency = Currencies.Normalise(currencyText) ?? "";
            if (currency.Length == 0)
            {
                errors.Add(ValidationErrors.Join(prefix, "currency"), "must be an ISO 4217 code, e.g. EUR");
            }
        }
        return errors.Count > before
            ? null
            : new CostRow(date, campaign, SourceCatalog.Normalise(source), medium?.ToLowerInvariant(), costMicros, clicks, impressions, currency);
    }

    private static string? Value(Func<string, string?> field, string name) => field(name)?.Trim() is { Length: > 0 } value ? value : null;

    private static string? Text(Func<string, string?> field, string name, ValidationErrors errors, string prefix)
    {
        var value = Value(field, name);
        if (value is not null && TextRules.Check(value, MaxTextLength) is { } problem)
        {
            errors.Add(ValidationErrors.Join(prefix, name), problem);
            return null;
        }
        return value;
    }

    private static long? Count(Func<string, string?> field, string name, ValidationErrors errors, string prefix)
    {
        if (Value(field, name) is not { } text)
        {
            return null;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }
        errors.Add(ValidationErrors.Join(prefix, name), "must be a whole number of 0 or more");
        return null;
    }
}
