using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Hosting;

namespace Utmost.Tenancy;

/// <summary>The caller's own tenant: read by any reader, settings changed by admins.</summary>
public static class TenantsApi
{
    public sealed record TenantResponse(
        string Id, string Slug, string Name, string SiteKey, string TimeZone, IReadOnlyList<string> ConversionGoals, bool CookielessVisitors,
        IReadOnlyList<string> AllowedOrigins, DateTimeOffset CreatedAt)
    {
        public static TenantResponse From(Tenant t) =>
            new(t.Id, t.Slug, t.Name, t.SiteKey, t.TimeZone, t.ConversionGoals, t.CookielessVisitors, t.AllowedOrigins, t.CreatedAt);
    }

    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tenants").WithTags("Tenants");
        group.MapGet("/current", GetCurrent).RequireAuthorization(Policies.Read);
        group.MapPatch("/current", UpdateCurrent).RequireAuthorization(Policies.Admin)
            .Accepts<TenantSettings>("application/json");
        return app;
    }

    /// <summary>The fields an admin may change; documented for OpenAPI, read field by field from the body.</summary>
    public sealed record TenantSettings(string? Name, string? TimeZone, IReadOnlyList<string>? ConversionGoals, bool? CookielessVisitors,
        IReadOnlyList<string>? AllowedOrigins);

    public static Ok<TenantResponse> GetCurrent(Caller caller) => TypedResults.Ok(TenantResponse.From(caller.Tenant));

    public static async Task<Results<Ok<TenantResponse>, ProblemHttpResult, ValidationProblem>> UpdateCurrent(
        Caller caller, HttpRequest request, ITenantStore store, TenantDirectory directory, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new ValidationErrors();
        var tenant = caller.Tenant;
        using (body.Document)
        {
            foreach (var property in body.Document!.RootElement.EnumerateObject())
            {
                if (!JsonFields.TryGetName(property, out var field))
                {
                    errors.Add("body", "field names must be valid Unicode text");
                    break;
                }
                switch (field)
                {
                    case "name":
                        var name = JsonFields.String(property.Value, "name", 255, errors);
                        if (string.IsNullOrWhiteSpace(name))
                        {
                            errors.Add("name", "must be a non-empty string");
                            break;
                        }
                        tenant = tenant with { Name = name.Trim() };
                        break;
                    case "time_zone":
                        var zone = JsonFields.String(property.Value, "time_zone", 64, errors);
                        if (zone is null || !TimeZones.TryFind(zone, out _))
                        {
                            errors.Add("time_zone", "must be an IANA time zone such as Europe/Berlin or UTC");
                            break;
                        }
                        tenant = tenant with { TimeZone = zone };
                        break;
                    case "conversion_goals":
                        if (Conversions.GoalsApi.Read(property.Value, "conversion_goals", errors) is { } goals)
                        {
                            tenant = tenant.WithGoals(goals);
                        }
                        break;
                    case "cookieless_visitors":
                        if (property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        {
                            tenant = tenant with { CookielessVisitors = property.Value.GetBoolean() };
                        }
                        else
                        {
                            errors.Add(field, "must be true or false");
                        }
                        break;
                    case "allowed_origins":
                        if (ReadOrigins(property.Value, errors) is { } origins)
                        {
                            tenant = tenant with { AllowedOrigins = origins };
                        }
                        break;
                    default:
                        errors.Add(field, "is not a field that can be changed (name, time_zone, conversion_goals, cookieless_visitors, allowed_origins)");
                        break;
                }
            }
        }
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        await store.UpdateSettingsAsync(tenant, cancellationToken);
        directory.Forget(tenant.Id);
        return TypedResults.Ok(TenantResponse.From(tenant));
    }

    private static string[]? ReadOrigins(JsonElement value, ValidationErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > WebOrigins.MaxPerTenant)
        {
            errors.Add("allowed_origins", $"must be an array of at most {WebOrigins.MaxPerTenant} origins such as \"https://shop.example\" (empty: every origin)");
            return null;
        }
        var origins = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (WebOrigins.Normalize(item.ValueKind == JsonValueKind.String ? item.GetString() : null) is { } origin)
            {
                origins.Add(origin);
            }
            else
            {
                errors.Add($"allowed_origins[{index}]", "must be an http or https origin without a path, such as \"https://shop.example\"");
            }
            index++;
        }
        return errors.IsEmpty ? origins.Distinct(StringComparer.Ordinal).ToArray() : null;
    }
}
