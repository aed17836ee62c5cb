using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Channels;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Channels;

/// <summary>Channel classification on request: what Utmost would make of a visit's tags, referrer and landing URL.</summary>
public static class ChannelsApi
{
    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/channels").WithTags("Channels");
        group.MapGet("/classify", Classify).RequireAuthorization(Policies.Read)
            .WithSummary("The channel (the tenant's own rules, then GA4's default channel group), lead source, source and medium of a visit");
        group.MapGet("/rules", GetRules).RequireAuthorization(Policies.Read)
            .WithSummary("The tenant's own channel rules, in the order they are tried");
        group.MapPut("/rules", PutRules).RequireAuthorization(Policies.Admin)
            .WithSummary("Replace the tenant's channel rules with the given ordered list (an empty list removes them)");
        return app;
    }

    public static Results<Ok<TrafficSource>, ValidationProblem> Classify(
        Caller caller, string? source, string? medium, string? campaign, string? referrer, string? url)
    {
        var errors = new ValidationErrors();
        Check(source, nameof(source), EventLimits.ShortText, errors);
        Check(medium, nameof(medium), EventLimits.ShortText, errors);
        Check(campaign, nameof(campaign), EventLimits.ShortText, errors);
        Check(referrer, nameof(referrer), EventLimits.Url, errors);
        Check(url, nameof(url), EventLimits.Url, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        return TypedResults.Ok(ChannelClassifier.Classify(new ChannelInput(source, medium, campaign, referrer, url),
            ChannelRulesJson.ChannelRulesOf(caller.Tenant)));
    }

    public static Ok<IReadOnlyList<CustomChannelRule>> GetRules(Caller caller) => TypedResults.Ok(caller.Tenant.ChannelRules);

    public static async Task<Results<Ok<IReadOnlyList<CustomChannelRule>>, ValidationProblem, ProblemHttpResult>> PutRules(
        Caller caller, HttpRequest request, ITenantStore store, TenantDirectory directory, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadArrayAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new ValidationErrors();
        List<CustomChannelRule> rules;
        using (body.Document)
        {
            rules = ReadRules(body.Document!.RootElement, errors);
        }
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The channel rules were not changed.");
        }
        var tenant = caller.Tenant with { ChannelRules = rules };
        await store.UpdateSettingsAsync(tenant, cancellationToken);
        directory.Forget(tenant.Id);
        return TypedResults.Ok<IReadOnlyList<CustomChannelRule>>(rules);
    }

    private const int MaxRules = 100;

    /// <summary>An array of rules; each field checked by name (<c>[2].medium_pattern</c>), unknown fields refused.</summary>
    private static List<CustomChannelRule> ReadRules(JsonElement root, ValidationErrors errors)
    {
        var rules = new List<CustomChannelRule>();
        if (root.GetArrayLength() > MaxRules)
        {
            errors.Add("body", $"must be a JSON array of at most {MaxRules} rules");
            return rules;
        }
        var index = 0;
        foreach (var item in root.EnumerateArray())
        {
            var prefix = $"[{index++}].";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(prefix.TrimEnd('.'), "must be an object");
                continue;
            }
            string name = "", leadSource = LeadSources.Other;
            string? sourcePattern = null, mediumPattern = null, campaignPattern = null;
            var isActive = true;
            foreach (var property in item.EnumerateObject())
            {
                if (!JsonFields.TryGetName(property, out var field))
                {
                    errors.Add(prefix + "body", "field names must be valid Unicode text");
                    continue;
                }
                var value = property.Value;
                switch (field)
                {
                    case "name": name = JsonFields.String(value, prefix + field, CustomChannelRule.MaxNameLength, errors) ?? ""; break;
                    case "lead_source": leadSource = JsonFields.String(value, prefix + field, 64, errors) ?? LeadSources.Other; break;
                    case "source_pattern": sourcePattern = JsonFields.String(value, prefix + field, CustomChannelRule.MaxPatternLength, errors); break;
                    case "medium_pattern": mediumPattern = JsonFields.String(value, prefix + field, CustomChannelRule.MaxPatternLength, errors); break;
                    case "campaign_pattern": campaignPattern = JsonFields.String(value, prefix + field, CustomChannelRule.MaxPatternLength, errors); break;
                    case "is_active":
                        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        {
                            isActive = value.GetBoolean();
                        }
                        else
                        {
                            errors.Add(prefix + field, "must be true or false");
                        }
                        break;
                    default:
                        errors.Add(prefix + field, "is not a field of a channel rule (name, lead_source, source_pattern, medium_pattern, campaign_pattern, is_active)");
                        break;
                }
            }
            var rule = new CustomChannelRule(name, leadSource, sourcePattern, mediumPattern, campaignPattern, isActive);
            rule.Validate(errors, prefix);
            rules.Add(rule);
        }
        return rules;
    }

    private static void Check(string? value, string name, int maxLength, ValidationErrors errors)
    {
        if (value is not null && TextRules.Check(value, maxLength) is { } problem)
        {
            errors.Add(name, problem);
        }
    }
}
