using System.Text.Json;
using System.Text.RegularExpressions;
using Utmost.Core.Common;

namespace Utmost.Core.Campaigns;

/// <summary>What a campaign may hold, and how a create or a partial update (PATCH) is applied to one.</summary>
public static partial class CampaignRules
{
    public const string DefaultStatus = "active";
    public const string DefaultCurrency = "USD";

    /// <summary>DECIMAL(10, 2) of the seed: eight digits before the point.</summary>
    public const decimal MaxMoney = 99_999_999.99m;

    public static readonly IReadOnlyList<string> Statuses = ["draft", "active", "paused", "completed", "archived"];

    /// <summary>The seed names "email, social, ppc, etc."; the rest are the channels the other seeds plan campaigns on.</summary>
    public static readonly IReadOnlyList<string> Types =
    [
        "email", "social", "ppc", "display", "sms", "push", "seo", "content", "affiliate", "referral",
        "video", "discount", "event", "print", "radio", "tv", "other",
    ];

    [GeneratedRegex("^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex CurrencyPattern();

    /// <summary>Applies a JSON object of fields to <paramref name="current"/> (a new blank campaign when creating).</summary>
    public static Campaign? Apply(Campaign current, JsonElement body, bool isCreate, DateTimeOffset now, ValidationErrors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", "must be a JSON object");
            return null;
        }
        var next = current;
        var sawName = false;
        foreach (var property in body.EnumerateObject())
        {
            if (!JsonFields.TryGetName(property, out var field))
            {
                errors.Add("body", "field names must be valid Unicode text");
                continue;
            }
            var value = property.Value;
            switch (field)
            {
                case "campaign_name":
                    sawName = true;
                    var name = JsonFields.String(value, field, 255, errors);
                    if (string.IsNullOrWhiteSpace(name))
                    {
                        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.String)
                        {
                            errors.Add(field, "must not be empty");
                        }
                        break;
                    }
                    next = next with { CampaignName = name.Trim() };
                    break;
                case "campaign_type":
                    var type = JsonFields.String(value, field, 100, errors);
                    if (type is not null && !Types.Contains(type))
                    {
                        errors.Add(field, $"must be one of: {string.Join(", ", Types)}");
                        break;
                    }
                    next = next with { CampaignType = type };
                    break;
                case "status":
                    var status = JsonFields.String(value, field, 50, errors);
                    if (status is null || !Statuses.Contains(status))
                    {
                        errors.Add(field, $"must be one of: {string.Join(", ", Statuses)}");
                        break;
                    }
                    next = next with { Status = status };
                    break;
                case "start_date": next = next with { StartDate = ReadDate(value, field, errors) }; break;
                case "end_date": next = next with { EndDate = ReadDate(value, field, errors) }; break;
                case "budget": next = next with { Budget = JsonFields.Money(value, field, MaxMoney, errors) }; break;
                case "spent":
                    var spent = JsonFields.Money(value, field, MaxMoney, errors);
                    next = next with { Spent = spent ?? 0.00m };
                    break;
                case "currency":
                    var currency = JsonFields.String(value, field, 3, errors);
                    if (currency is null || !CurrencyPattern().IsMatch(currency))
                    {
                        errors.Add(field, "must be an ISO 4217 code such as USD or EUR");
                        break;
                    }
                    next = next with { Currency = currency };
                    break;
                case "utm_campaign": next = next with { UtmCampaign = JsonFields.String(value, field, 255, errors) }; break;
                case "utm_source": next = next with { UtmSource = JsonFields.String(value, field, 255, errors) }; break;
                case "utm_medium": next = next with { UtmMedium = JsonFields.String(value, field, 255, errors) }; break;
                case "target_audience": next = next with { TargetAudienceJson = JsonFields.Object(value, field, 16 * 1024, errors) }; break;
                case "metrics": next = next with { MetricsJson = JsonFields.Object(value, field, 16 * 1024, errors) }; break;
                case "metadata": next = next with { MetadataJson = JsonFields.Object(value, field, 16 * 1024, errors) }; break;
                case "id" or "tenant_id" or "created_at" or "updated_at" or "deleted_at":
                    errors.Add(field, "is set by the server and cannot be written");
                    break;
                default:
                    errors.Add(field, "is not a known field");
                    break;
            }
        }
        if (isCreate && !sawName)
        {
            errors.Add("campaign_name", "is required");
        }
        if (errors.IsEmpty && next.StartDate is { } start && next.EndDate is { } end && end < start)
        {
            errors.Add("end_date", "must not be before start_date");
        }
        return errors.IsEmpty ? next with { UpdatedAt = now } : null;
    }

    private static DateTimeOffset? ReadDate(JsonElement value, string field, ValidationErrors errors)
    {
        var text = JsonFields.String(value, field, 40, errors);
        if (text is null)
        {
            return null;
        }
        if (DateInput.TryParseDate(text, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        if (DateInput.TryParseDateTime(text, out var instant))
        {
            return instant;
        }
        errors.Add(field, "must be an ISO 8601 date or date-time");
        return null;
    }
}
