using System.Globalization;
using Utmost.Core.Common;
using Utmost.Tenancy;

namespace Utmost.Hosting;

/// <summary>Parses query-string values by hand so each bad one is named in a 400, instead of a bare binding failure.</summary>
public static class QueryParameters
{
    public static int Limit(string? text, int defaultValue, int max, ValidationErrors errors) =>
        Integer(text, "limit", defaultValue, 1, max, errors);

    public static int Offset(string? text, ValidationErrors errors) =>
        Integer(text, "offset", 0, 0, 1_000_000_000, errors);

    public static int Integer(string? text, string name, int defaultValue, int min, int max, ValidationErrors errors)
    {
        if (text is null)
        {
            return defaultValue;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add(name, $"must be a whole number from {min} to {max}");
            return defaultValue;
        }
        return value;
    }

    /// <summary>start_date/end_date (or the names given): ISO dates (whole days in the tenant's zone) or date-times; both inclusive.</summary>
    public static (long? FromMs, long? ToMs) DateRange(string? start, string? end, Tenant tenant, ValidationErrors errors,
        string startName = "start_date", string endName = "end_date")
    {
        TimeZones.TryFind(tenant.TimeZone, out var zone);
        long? from = null, to = null;
        if (start is not null)
        {
            if (DateInput.TryParseBound(start, zone, isEnd: false, out var value))
            {
                from = value.ToUnixTimeMilliseconds();
            }
            else
            {
                errors.Add(startName, "must be an ISO 8601 date (2025-11-01) or date-time (2025-11-01T00:00:00Z)");
            }
        }
        if (end is not null)
        {
            if (DateInput.TryParseBound(end, zone, isEnd: true, out var value))
            {
                to = value.ToUnixTimeMilliseconds();
            }
            else
            {
                errors.Add(endName, "must be an ISO 8601 date (2025-11-30) or date-time (2025-11-30T23:59:59Z)");
            }
        }
        if (from is { } f && to is { } t && t < f)
        {
            errors.Add(endName, $"must not be before {startName}");
        }
        return (from, to);
    }

    /// <summary>The seed's tenant_id filter: the tenant comes from the key, so it may only name the caller's own tenant.</summary>
    public static void CheckTenant(string? tenantId, Caller caller, ValidationErrors errors)
    {
        if (tenantId is not null && tenantId != caller.Tenant.Id && tenantId != caller.Tenant.Slug)
        {
            errors.Add("tenant_id", "must be the id or slug of your own tenant (the tenant is taken from the API key)");
        }
    }

    /// <summary>An optional equality filter: at most 255 characters of valid text.</summary>
    public static string? Text(string? value, string name, ValidationErrors errors)
    {
        if (value is not null && TextRules.Check(value, 255) is { } problem)
        {
            errors.Add(name, problem);
            return null;
        }
        return value;
    }
}
