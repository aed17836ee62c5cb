using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Campaigns;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Core.Metrics;
using Utmost.Hosting;
using Utmost.Metrics;
using Utmost.Tenancy;

namespace Utmost.Campaigns;

/// <summary>AEON campaign management: list, read, create, partial update, soft delete, statuses, ROI.</summary>
public static class CampaignsApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/marketing/campaigns").WithTags("Campaigns");
        group.MapGet("/", List).RequireAuthorization(Policies.Read);
        group.MapGet("/statuses", () => TypedResults.Ok(CampaignRules.Statuses)).RequireAuthorization(Policies.Read);
        group.MapGet("/types", () => TypedResults.Ok(CampaignRules.Types)).RequireAuthorization(Policies.Read);
        group.MapGet("/{campaign_id}", Get).RequireAuthorization(Policies.Read);
        group.MapGet("/{campaign_id}/roi", GetRoi).RequireAuthorization(Policies.Read);
        group.MapPost("/", Create).RequireAuthorization(Policies.Write).Accepts<CampaignRequest>("application/json");
        group.MapPatch("/{campaign_id}", Update).RequireAuthorization(Policies.Write).Accepts<CampaignRequest>("application/json");
        group.MapDelete("/{campaign_id}", Delete).RequireAuthorization(Policies.Write);
        return app;
    }

    public static async Task<Results<Ok<CampaignResponse[]>, ValidationProblem>> List(
        Caller caller, ICampaignStore store, string? tenant_id, string? status, string? limit, string? offset,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        QueryParameters.CheckTenant(tenant_id, caller, errors);
        if (status is not null && !CampaignRules.Statuses.Contains(status))
        {
            errors.Add("status", $"must be one of: {string.Join(", ", CampaignRules.Statuses)}");
        }
        var take = QueryParameters.Limit(limit, DefaultLimit, MaxLimit, errors);
        var skip = QueryParameters.Offset(offset, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var campaigns = await store.ListAsync(caller.Tenant.Id, status, take, skip, cancellationToken);
        return TypedResults.Ok(campaigns.Select(CampaignResponse.From).ToArray());
    }

    public static async Task<Results<Ok<CampaignResponse>, ProblemHttpResult>> Get(
        Caller caller, ICampaignStore store, string campaign_id, CancellationToken cancellationToken)
    {
        var campaign = await store.GetAsync(caller.Tenant.Id, campaign_id, cancellationToken);
        return campaign is null ? Problems.NotFound("campaign", campaign_id) : TypedResults.Ok(CampaignResponse.From(campaign));
    }

    public static async Task<Results<Created<CampaignResponse>, ValidationProblem, ProblemHttpResult>> Create(
        Caller caller, HttpRequest request, ICampaignStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var now = clock.GetUtcNow();
        var blank = new Campaign { Id = Ids.New(now), TenantId = caller.Tenant.Id, CampaignName = "", CreatedAt = now, UpdatedAt = now };
        var errors = new ValidationErrors();
        Campaign? campaign;
        using (body.Document)
        {
            campaign = CampaignRules.Apply(blank, body.Document!.RootElement, isCreate: true, now, errors);
        }
        if (campaign is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The campaign was not created.");
        }
        await store.InsertAsync(campaign, cancellationToken);
        return TypedResults.Created($"/marketing/campaigns/{campaign.Id}", CampaignResponse.From(campaign));
    }

    public static async Task<Results<Ok<CampaignResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Caller caller, HttpRequest request, ICampaignStore store, TimeProvider clock, string campaign_id, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        using (body.Document)
        {
            var current = await store.GetAsync(caller.Tenant.Id, campaign_id, cancellationToken);
            if (current is null)
            {
                return Problems.NotFound("campaign", campaign_id);
            }
            var errors = new ValidationErrors();
            var updated = CampaignRules.Apply(current, body.Document!.RootElement, isCreate: false, clock.GetUtcNow(), errors);
            if (updated is null)
            {
                return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The campaign was not changed.");
            }
            return await store.UpdateAsync(updated, cancellationToken)
                ? TypedResults.Ok(CampaignResponse.From(updated))
                : Problems.NotFound("campaign", campaign_id);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Caller caller, ICampaignStore store, TimeProvider clock, string campaign_id, CancellationToken cancellationToken) =>
        await store.SoftDeleteAsync(caller.Tenant.Id, campaign_id, clock.GetUtcNow(), cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("campaign", campaign_id);

    /// <summary>The seed's campaign ROI query: leads are lead_created events tagged with the campaign's utm_campaign.</summary>
    public static async Task<Results<Ok<CampaignRoi>, ProblemHttpResult>> GetRoi(
        Caller caller, ICampaignStore store, IMarketingAnalytics analytics, string campaign_id, CancellationToken cancellationToken)
    {
        var campaign = await store.GetAsync(caller.Tenant.Id, campaign_id, cancellationToken);
        if (campaign is null)
        {
            return Problems.NotFound("campaign", campaign_id);
        }
        var leads = campaign.UtmCampaign is null
            ? 0
            : await analytics.CountAsync(caller.Tenant, EventTypes.LeadCreated, campaign.UtmCampaign, cancellationToken);
        return TypedResults.Ok(new CampaignRoi(campaign.CampaignName, campaign.Budget, campaign.Spent, campaign.Currency, leads,
            MarketingRates.PerUnit(campaign.Spent, leads)));
    }

    public sealed record CampaignRoi(string CampaignName, decimal? Budget, decimal Spent, string Currency, long Leads, decimal CostPerLead);

    /// <summary>The fields a client may send (documentation); PATCH sends any subset, and null clears a field.</summary>
    public sealed record CampaignRequest(
        string? CampaignName, string? CampaignType, string? Status, DateTimeOffset? StartDate, DateTimeOffset? EndDate,
        decimal? Budget, decimal? Spent, string? Currency, string? UtmCampaign, string? UtmSource, string? UtmMedium,
        JsonElement? TargetAudience, JsonElement? Metrics, JsonElement? Metadata);

    public sealed record CampaignResponse(
        string Id, string TenantId, string CampaignName, string? CampaignType, string Status, DateTimeOffset? StartDate,
        DateTimeOffset? EndDate, decimal? Budget, decimal Spent, string Currency, string? UtmCampaign, string? UtmSource,
        string? UtmMedium, JsonElement TargetAudience, JsonElement Metrics, JsonElement Metadata,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt)
    {
        public static CampaignResponse From(Campaign c) => new(
            c.Id, c.TenantId, c.CampaignName, c.CampaignType, c.Status, c.StartDate, c.EndDate, c.Budget, c.Spent, c.Currency,
            c.UtmCampaign, c.UtmSource, c.UtmMedium, JsonElement.Parse(c.TargetAudienceJson), JsonElement.Parse(c.MetricsJson),
            JsonElement.Parse(c.MetadataJson), c.CreatedAt, c.UpdatedAt, c.DeletedAt);
    }
}
