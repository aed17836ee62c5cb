using System.Text.Json;
using Utmost.Core.Common;

namespace Utmost.Core.Events;

/// <summary>
/// Turns a request body into validated <see cref="EventInput"/>s, naming each bad field by its path.
/// A body with any bad item yields no events at all: batches are accepted or rejected whole.
/// </summary>
public static class EventParser
{
        public sealed record Result(IReadOnlyList<EventInput> Events, bool WasArray, ValidationErrors Errors);

    /// <param name="allowArray">false for endpoints that take exactly one event.</param>
    public static Result Parse(ReadOnlyMemory<byte> body, bool allowArray, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, JsonFields.DocumentOptions);
        }
        catch (JsonException e)
        {
            errors.Add("body", $"is not valid JSON: {JsonFields.DescribeJsonError(e)}");
            return new Result([], false, errors);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var single = ParseEvent(root, "", errors, now);
                return new Result(errors.IsEmpty && single is not null ? [single] : [], false, errors);
            }
            if (root.ValueKind != JsonValueKind.Array || !allowArray)
            {
                errors.Add("body", allowArray ? "must be an event object or an array of events" : "must be an event object");
                return new Result([], false, errors);
            }
            var count = root.GetArrayLength();
            if (count == 0 || count > EventLimits.MaxBatch)
            {
                errors.Add("body", $"must hold between 1 and {EventLimits.MaxBatch} events");
                return new Result([], true, errors);
            }
            var events = new List<EventInput>(count);
            var index = 0;
            foreach (var item in root.EnumerateArray())
            {
                var prefix = $"[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(prefix, "must be an event object");
                    continue;
                }
                if (ParseEvent(item, prefix, errors, now) is { } parsed)
                {
                    events.Add(parsed);
                }
            }
            return new Result(errors.IsEmpty ? events : [], true, errors);
        }
    }

    private static EventInput? ParseEvent(JsonElement item, string prefix, ValidationErrors errors, DateTimeOffset now)
    {
        var errorsBefore = errors.Count;
        var input = new EventInput();
        var sawType = false;
        var typeRejected = false;
        foreach (var property in item.EnumerateObject())
        {
            if (!JsonFields.TryGetName(property, out var name))
            {
                errors.Add(prefix.Length == 0 ? "body" : prefix, "field names must be valid Unicode text");
                continue;
            }
            var field = ValidationErrors.Join(prefix, name);
            var value = property.Value;
            switch (name)
            {
                case "event_type":
                    sawType = true;
                    var errorsBeforeType = errors.Count;
                    input.EventType = ReadString(value, field, EventLimits.EventType, errors) ?? "";
                    typeRejected = errors.Count != errorsBeforeType;
                    if (input.EventType.Length > 0 && !EventTypes.IsValid(input.EventType))
                    {
                        errors.Add(field, "must be one of the documented types or match ^[a-z][a-z0-9_]{0,63}$");
                    }
                    break;
                case "event_id": input.EventId = ReadString(value, field, EventLimits.EventId, errors); break;
                case "site": input.Site = ReadString(value, field, EventLimits.SiteKey, errors); break;
                case "event_name": input.EventName = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "page_url": input.PageUrl = ReadString(value, field, EventLimits.Url, errors); break;
                case "referrer_url": input.ReferrerUrl = ReadString(value, field, EventLimits.Url, errors); break;
                case "utm_source": input.UtmSource = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "utm_medium": input.UtmMedium = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "utm_campaign": input.UtmCampaign = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "utm_term": input.UtmTerm = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "utm_content": input.UtmContent = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "ad_source": input.AdSource = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "session_id": input.SessionId = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "visitor_id": input.VisitorId = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "lead_source":
                    input.LeadSource = ReadString(value, field, EventLimits.ShortText, errors);
                    if (input.LeadSource is { Length: > 0 } source && !EventTypes.IsValid(source))
                    {
                        errors.Add(field, "must be a lead source (see GET /marketing/events/sources) or a custom one in snake_case");
                    }
                    break;
                case "user_agent":
                    // A user agent is evidence, not a contract: an absurd one is cut, not refused.
                    var agent = ReadString(value, field, int.MaxValue, errors);
                    input.UserAgent = agent is null ? null : TextRules.Truncate(agent, EventLimits.UserAgent);
                    break;
                case "ip_address":
                    input.IpAddress = ReadString(value, field, EventLimits.IpAddress, errors);
                    if (input.IpAddress is not null && !System.Net.IPAddress.TryParse(input.IpAddress, out _))
                    {
                        errors.Add(field, "must be an IPv4 or IPv6 address");
                    }
                    break;
                case "user_id": input.UserId = ReadExternalId(value, field, errors); break;
                case "order_id": input.OrderId = ReadExternalId(value, field, errors)?.Value; break;
                case "revenue": ReadRevenue(value, field, input, errors); break;
                case "currency": input.Currency = ReadCurrency(value, field, errors); break;
                case "lead_id": input.LeadId = ReadExternalId(value, field, errors); break;
                case "properties": input.PropertiesJson = ReadObject(value, field, errors); break;
                case "metadata": input.MetadataJson = ReadObject(value, field, errors); break;
                // The seed's column is created_at; timestamp is the name trackers use. Both set when it happened.
                case "timestamp" or "created_at":
                    input.Timestamp = ReadTimestamp(value, field, errors, now);
                    break;
                case "tenant_id": input.TenantId = ReadString(value, field, EventLimits.ShortText, errors); break;
                case "id" or "received_at" or "deleted_at":
                    errors.Add(field, "is set by the server and cannot be sent");
                    break;
                default:
                    errors.Add(field, "is not a known field");
                    break;
            }
        }
        if (!sawType || input.EventType.Length == 0 && !typeRejected)
        {
            errors.Add(ValidationErrors.Join(prefix, "event_type"), "is required");
        }
        if (input.Revenue is not null && input.Currency is null && errors.Count == errorsBefore)
        {
            errors.Add(ValidationErrors.Join(prefix, "revenue"), "needs a currency: {\"amount\": 19.99, \"currency\": \"EUR\"}");
        }
        return errors.Count == errorsBefore ? input : null;
    }

    private static string? ReadString(JsonElement value, string field, int maxLength, ValidationErrors errors) =>
        JsonFields.String(value, field, maxLength, errors);

    private static ExternalId? ReadExternalId(JsonElement value, string field, ValidationErrors errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when value.TryGetInt64(out var number):
                return new ExternalId(number.ToString(System.Globalization.CultureInfo.InvariantCulture), true);
            case JsonValueKind.String:
                var text = ReadString(value, field, EventLimits.ShortText, errors);
                return text is null ? null : new ExternalId(text, false);
            default:
                errors.Add(field, "must be an integer or a string");
                return null;
        }
    }

    /// <summary>
    /// Revenue as Plausible's events API takes it, <c>{"amount": 19.99, "currency": "EUR"}</c> (the amount may be a
    /// numeric string), or a bare amount beside a top-level <c>currency</c>.
    /// </summary>
    private static void ReadRevenue(JsonElement value, string field, EventInput input, ValidationErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            input.Revenue = JsonFields.Revenue(value, field, errors);
            return;
        }
        var errorsBefore = errors.Count;
        foreach (var part in value.EnumerateObject())
        {
            var partField = ValidationErrors.Join(field, part.Name);
            switch (part.Name)
            {
                case "amount": input.Revenue = JsonFields.Revenue(part.Value, partField, errors); break;
                case "currency": input.Currency = ReadCurrency(part.Value, partField, errors); break;
                default: errors.Add(partField, "is not a field of revenue (amount, currency)"); break;
            }
        }
        if (input.Revenue is null && errors.Count == errorsBefore)
        {
            errors.Add(ValidationErrors.Join(field, "amount"), "is required");
        }
    }

    private static string? ReadCurrency(JsonElement value, string field, ValidationErrors errors)
    {
        var text = ReadString(value, field, 3, errors);
        if (text is null)
        {
            return null;
        }
        if (Currencies.Normalise(text) is { } code)
        {
            return code;
        }
        errors.Add(field, "must be an ISO 4217 currency code, e.g. EUR or USD");
        return null;
    }

    private static string ReadObject(JsonElement value, string field, ValidationErrors errors) =>
        JsonFields.Object(value, field, EventLimits.JsonObjectBytes, errors);

    private static DateTimeOffset? ReadTimestamp(JsonElement value, string field, ValidationErrors errors, DateTimeOffset now)
    {
        var text = ReadString(value, field, 40, errors);
        if (text is null)
        {
            return null;
        }
        if (!DateInput.TryParseDateTime(text, out var timestamp))
        {
            errors.Add(field, "must be an ISO 8601 date-time, e.g. 2025-06-01T10:00:00Z");
            return null;
        }
        if (timestamp.ToUnixTimeMilliseconds() < 0)
        {
            errors.Add(field, "must not be before 1970-01-01");
            return null;
        }
        if (timestamp > now + EventLimits.MaxFutureSkew)
        {
            errors.Add(field, "must not be more than one hour in the future");
            return null;
        }
        return timestamp;
    }
}
