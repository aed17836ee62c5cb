using System.Text.Json;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Core.Query;

namespace Utmost.Core.Funnels;

/// <summary>
/// One step of a funnel: events of <see cref="EventType"/>, on a page whose URL contains <see cref="Page"/> when
/// given, with every property of <see cref="Properties"/> equal to the event's (compared as goals compare them).
/// </summary>
public sealed record FunnelStep(string Name, string EventType, string? Page = null, IReadOnlyDictionary<string, string>? Properties = null);

public enum FunnelOrder
{
    /// <summary>The steps one after another (other events may come between), as ClickHouse's windowFunnel counts them.</summary>
    Strict,

    /// <summary>The first step, then the others in any order, all within the window.</summary>
    Any,
}

/// <summary>A tenant's funnel (AEON's page_view → form_submit → lead_created → quote_requested → job_created).</summary>
public sealed record Funnel(string Id, string TenantId, string Name, IReadOnlyList<FunnelStep> Steps, int WindowHours, FunnelOrder Order,
    DateTimeOffset CreatedAt)
{
    public long WindowSeconds => WindowHours * 3600L;
}

/// <summary>Reads a funnel definition from a request body, naming every bad part.</summary>
public static class FunnelRules
{
    public const int MinSteps = 2;
    public const int MaxSteps = 10;
    public const int MaxWindowHours = 90 * 24;
    public const int DefaultWindowHours = 7 * 24;

    public static string NameOf(FunnelOrder order) => order == FunnelOrder.Strict ? "strict" : "any";

    /// <summary>The funnel, or null with the reasons in <paramref name="errors"/>.</summary>
    public static Funnel? Parse(JsonElement body, string id, string tenantId, DateTimeOffset now, ValidationErrors errors)
    {
        string? name = null;
        List<FunnelStep>? steps = null;
        var windowHours = DefaultWindowHours;
        var order = FunnelOrder.Strict;
        foreach (var property in body.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "name":
                    name = JsonFields.String(value, "name", 100, errors)?.Trim();
                    if (name is { Length: 0 })
                    {
                        errors.Add("name", "must not be empty");
                    }
                    break;
                case "steps":
                    steps = ParseSteps(value, errors);
                    break;
                case "window_hours":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out windowHours) || windowHours is < 1 or > MaxWindowHours)
                    {
                        errors.Add("window_hours", $"must be a whole number of hours from 1 to {MaxWindowHours} (90 days)");
                    }
                    break;
                case "order":
                    switch (value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                    {
                        case "strict": order = FunnelOrder.Strict; break;
                        case "any": order = FunnelOrder.Any; break;
                        default: errors.Add("order", "must be strict (the steps in order) or any (after the first, in any order)"); break;
                    }
                    break;
                default:
                    errors.Add(property.Name, "is not a field of a funnel (name, steps, window_hours, order)");
                    break;
            }
        }
        if (name is null && !errors.ToDictionary().ContainsKey("name"))
        {
            errors.Add("name", "is required");
        }
        if (steps is null && !errors.ToDictionary().ContainsKey("steps"))
        {
            errors.Add("steps", $"is required: {MinSteps} to {MaxSteps} steps");
        }
        return errors.IsEmpty ? new Funnel(id, tenantId, name!, steps!, windowHours, order, now) : null;
    }

    private static List<FunnelStep>? ParseSteps(JsonElement value, ValidationErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is < MinSteps or > MaxSteps)
        {
            errors.Add("steps", $"must be an array of {MinSteps} to {MaxSteps} steps: {{\"event_type\": \"page_view\", \"page\": \"/pricing\"}}");
            return null;
        }
        var steps = value.EnumerateArray().Select((item, i) => ParseStep(item, $"steps[{i}]", errors)).ToList();
        return steps.Any(s => s is null) ? null : steps.Select(s => s!).ToList();
    }

    private static FunnelStep? ParseStep(JsonElement item, string field, ValidationErrors errors)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            var type = item.GetString()!;
            if (!EventTypes.IsValid(type))
            {
                errors.Add(field, "must be an event type in snake_case, or a {name, event_type, page, properties} object");
                return null;
            }
            return new FunnelStep(type, type);
        }
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(field, "must be an event type or a {name, event_type, page, properties} object");
            return null;
        }
        string? name = null, eventType = null, page = null;
        Dictionary<string, string>? properties = null;
        var before = errors.Count;
        foreach (var property in item.EnumerateObject())
        {
            var part = $"{field}.{property.Name}";
            switch (property.Name)
            {
                case "name":
                    name = JsonFields.String(property.Value, part, 100, errors)?.Trim();
                    break;
                case "event_type":
                    eventType = JsonFields.String(property.Value, part, EventLimits.EventType, errors);
                    if (eventType is not null && !EventTypes.IsValid(eventType))
                    {
                        errors.Add(part, "must be an event type in snake_case");
                    }
                    break;
                case "page":
                    page = JsonFields.String(property.Value, part, 500, errors);
                    if (page is { Length: 0 })
                    {
                        errors.Add(part, "must not be empty: it is text the page URL contains");
                    }
                    break;
                case "properties":
                    properties = Conversions.GoalProperties.Parse(property.Value, part, errors);
                    break;
                default:
                    errors.Add(part, "is not a field of a step (name, event_type, page, properties)");
                    break;
            }
        }
        if (eventType is null && errors.Count == before)
        {
            errors.Add($"{field}.event_type", "is required");
        }
        if (errors.Count != before)
        {
            return null;
        }
        return new FunnelStep(string.IsNullOrEmpty(name) ? eventType! + (page is null ? "" : " " + page) : name, eventType!, page, properties);
    }
}
