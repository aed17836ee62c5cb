using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Conversions;
using Utmost.Core.Events;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Conversions;

/// <summary>
/// A tenant's conversion goals: event types, optionally narrowed by event properties. Sessions built from then on,
/// journeys and conversion counts use them.
/// </summary>
public static class GoalsApi
{
    public const int MaxGoals = 50;

    /// <summary>A goal as the API shows it.</summary>
    public sealed record GoalResponse(string Name, string EventType, IReadOnlyDictionary<string, string> Properties)
    {
        public static GoalResponse From(Goal goal) => new(goal.Name, goal.EventType, goal.Properties ?? new Dictionary<string, string>());
    }

    public static IEndpointRouteBuilder MapGoalsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/goals").WithTags("Goals");
        group.MapGet("/", (Caller caller) => TypedResults.Ok(caller.Tenant.Goals.Select(GoalResponse.From).ToArray()))
            .RequireAuthorization(Policies.Read).WithSummary("The tenant's conversion goals");
        group.MapPut("/", Put).RequireAuthorization(Policies.Admin)
            .WithSummary("Replace the conversion goals: event types (\"purchase\") or {name, event_type, properties} objects");
        return app;
    }

    public static async Task<Results<Ok<GoalResponse[]>, ValidationProblem, ProblemHttpResult>> Put(
        Caller caller, HttpRequest request, ITenantStore store, TenantDirectory directory, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadArrayAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new ValidationErrors();
        IReadOnlyList<Goal>? goals;
        using (body.Document)
        {
            goals = Read(body.Document!.RootElement, "goals", errors);
        }
        if (goals is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The goals were not changed.");
        }
        var tenant = caller.Tenant.WithGoals(goals);
        await store.UpdateSettingsAsync(tenant, cancellationToken);
        directory.Forget(tenant.Id);
        return TypedResults.Ok(goals.Select(GoalResponse.From).ToArray());
    }

    /// <summary>
    /// An array of 1 to 50 goals, each an event type or <c>{"name", "event_type", "properties": {key: value}}</c>;
    /// null (with the errors named by <paramref name="field"/>[i]) when any is bad.
    /// </summary>
    public static IReadOnlyList<Goal>? Read(JsonElement value, string field, ValidationErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxGoals)
        {
            errors.Add(field, $"must be an array of 1 to {MaxGoals} goals: event types or {{name, event_type, properties}} objects");
            return null;
        }
        var goals = new List<Goal>();
        var errorsBefore = errors.Count;
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemField = $"{field}[{index++}]";
            var goal = item.ValueKind == JsonValueKind.Object ? ReadObject(item, itemField, errors) : ReadEventType(item, itemField, errors);
            if (goal is null)
            {
                continue;
            }
            if (goals.Any(g => g.Name == goal.Name))
            {
                errors.Add(itemField, $"repeats the goal name '{goal.Name}'");
                continue;
            }
            goals.Add(goal);
        }
        return errors.Count == errorsBefore ? goals : null;
    }

    private static Goal? ReadEventType(JsonElement item, string field, ValidationErrors errors)
    {
        var eventType = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
        if (eventType is null || !EventTypes.IsValid(eventType))
        {
            errors.Add(field, "must be an event type in snake_case, or a {name, event_type, properties} object");
            return null;
        }
        return Goal.ForEventType(eventType);
    }

    private static Goal? ReadObject(JsonElement item, string field, ValidationErrors errors)
    {
        string? name = null, eventType = null;
        Dictionary<string, string>? properties = null;
        var errorsBefore = errors.Count;
        foreach (var property in item.EnumerateObject())
        {
            var partField = $"{field}.{property.Name}";
            switch (property.Name)
            {
                case "name":
                    name = JsonFields.String(property.Value, partField, 64, errors)?.Trim();
                    if (name is { Length: 0 })
                    {
                        errors.Add(partField, "must not be empty");
                    }
                    break;
                case "event_type":
                    eventType = JsonFields.String(property.Value, partField, EventLimits.EventType, errors);
                    if (eventType is not null && !EventTypes.IsValid(eventType))
                    {
                        errors.Add(partField, "must be an event type in snake_case");
                    }
                    break;
                case "properties":
                    properties = GoalProperties.Parse(property.Value, partField, errors);
                    break;
                default:
                    errors.Add(partField, "is not a field of a goal (name, event_type, properties)");
                    break;
            }
        }
        if (eventType is null && errors.Count == errorsBefore)
        {
            errors.Add($"{field}.event_type", "is required");
        }
        return errors.Count == errorsBefore ? new Goal(name ?? eventType!, eventType!, properties) : null;
    }
}
