using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Campaigns;
using Utmost.Core.Attribution;
using Utmost.Core.Campaigns;
using Utmost.Core.Channels;
using Utmost.Core.Common;
using Utmost.Core.Costs;
using Utmost.Costs;
using Utmost.Hosting;
using Utmost.Tenancy;
using ChannelNames = Utmost.Core.Channels.Channels;

namespace Utmost.Attribution;

/// <summary>
/// Glamlink's channel attribution report: per channel, sessions and the orders and sales a model credits it with
/// (both as stored by the last recomputation, so they are of one moment, and fast at any size), and what it cost (daily cost rows; a campaign's <c>spent</c> where it has none), with
/// ROAS, ROI, CPA, CPC, CTR and AOV.
/// </summary>
public static class ChannelPerformanceApi
{
    /// <summary>Campaigns read for their spend; a tenant with more keeps its costs as daily rows.</summary>
    private const int MaxCampaigns = 10_000;

    public static IEndpointRouteBuilder MapChannelPerformanceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/marketing/channels", Get).WithTags("Attribution").RequireAuthorization(Policies.Read)
            .WithSummary("Per channel: sessions, attributed orders and sales, cost, ROAS, ROI, CPA, CPC, CTR, AOV, new and returning customers");
        return app;
    }

    public sealed record ChannelPerformanceResponse(string Model, DateTimeOffset Start, DateTimeOffset End, string Currency,
        int CostRowsInOtherCurrencies, IReadOnlyList<ChannelPerformance> Channels, ChannelPerformance Total);

    public static async Task<Results<Ok<ChannelPerformanceResponse>, ValidationProblem>> Get(Caller caller, ICreditStore credits, ICostStore costs,
        ICampaignStore campaigns, TimeProvider clock, string? model, string? start, string? end, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var chosen = AttributionApi.ParseModel(model, errors);
        var tenant = caller.Tenant;
        var (fromMs, toMs) = AttributionApi.ParseRange(tenant, clock, start, end, errors, "start", "end");
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var sessionCounts = await credits.SessionsPerChannelAsync(tenant.Id, fromMs, toMs, cancellationToken);
        var credited = await credits.ChannelTotalsAsync(tenant.Id, AttributionModels.NameOf(chosen), fromMs, toMs, cancellationToken);
        TimeZones.TryFind(tenant.TimeZone, out var zone);
        var (firstDay, lastDay) = (TimeZones.LocalDate(Time(fromMs), zone), TimeZones.LocalDate(Time(toMs), zone));
        var costRows = await costs.ListAsync(tenant.Id, firstDay, lastDay, int.MaxValue, 0, cancellationToken);
        var tenantCampaigns = await campaigns.ListAsync(tenant.Id, null, MaxCampaigns, 0, cancellationToken);

        // One currency: that of most credited orders with a value, else of most cost rows.
        var currency = credited.Where(c => c.Currency.Length > 0).GroupBy(c => c.Currency).OrderByDescending(g => g.Sum(c => c.Orders))
                .ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault()
            ?? costRows.GroupBy(r => r.Currency).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault()
            ?? CampaignRules.DefaultCurrency;

        var channels = sessionCounts.Select(s => s.Channel).Concat(credited.Select(c => c.Channel)).Distinct(StringComparer.Ordinal);
        var activity = channels.Select(channel => new ChannelActivity(channel,
            sessionCounts.Where(s => s.Channel == channel).Sum(s => s.Sessions),
            credited.Where(c => c.Channel == channel).Sum(c => c.Orders),
            credited.Where(c => c.Channel == channel).Sum(c => c.ReturningOrders),
            credited.Where(c => c.Channel == channel && c.Currency == currency).Sum(c => c.ValueMicros)));

        var inCurrency = costRows.Where(r => r.Currency == currency).ToList();
        var spend = SpendByChannel(inCurrency, tenantCampaigns, currency, ChannelRulesJson.ChannelRulesOf(tenant), fromMs, toMs);
        var (rows, total) = ChannelPerformance.Of(activity, spend);
        return TypedResults.Ok(new ChannelPerformanceResponse(AttributionModels.NameOf(chosen), Time(fromMs), Time(toMs), currency,
            costRows.Count - inCurrency.Count, rows, total));
    }

    /// <summary>
    /// What each channel cost: the daily rows, and a campaign's spent where no daily row covers it in the range, in
    /// proportion to its days in the range. The rows are in <paramref name="currency"/>; so must a campaign's spent be.
    /// </summary>
    private static IReadOnlyCollection<ChannelSpend> SpendByChannel(IReadOnlyList<CostRow> rows, IReadOnlyList<Campaign> campaigns, string currency,
        IReadOnlyList<ChannelRule> rules, long fromMs, long toMs)
    {
        var spend = new Dictionary<string, ChannelSpend>(StringComparer.Ordinal);
        void Add(string channel, long micros, long? clicks, long? impressions)
        {
            if (!spend.TryGetValue(channel, out var s))
            {
                spend[channel] = s = new ChannelSpend(channel);
            }
            s.Add(micros, clicks, impressions);
        }
        foreach (var row in rows)
        {
            Add(CostChannel(row.Source, row.Medium, row.Campaign, campaigns, rules), row.CostMicros, row.Clicks, row.Impressions);
        }
        var campaignsWithRows = rows.Where(r => r.Campaign is not null).Select(r => r.Campaign!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var campaign in campaigns.Where(c => c.Spent > 0 && c.Currency == currency && !(c.UtmCampaign is { } utm && campaignsWithRows.Contains(utm))))
        {
            if (SpentInRange(campaign, fromMs, toMs) is { } micros and > 0)
            {
                Add(CostChannel(campaign.UtmSource, campaign.UtmMedium, campaign.UtmCampaign, [], rules), micros, null, null);
            }
        }
        return spend.Values;
    }

    /// <summary>
    /// The channel a cost belongs to: its source and medium classified as a visit with those tags would be; with a
    /// campaign alone, by the tags of the tenant's campaign of that name; else Unassigned.
    /// </summary>
    public static string CostChannel(string? source, string? medium, string? campaign, IReadOnlyList<Campaign> campaigns,
        IReadOnlyList<ChannelRule> rules)
    {
        if (source is null && medium is null && campaign is not null)
        {
            var tagged = campaigns.FirstOrDefault(c => string.Equals(c.UtmCampaign, campaign, StringComparison.OrdinalIgnoreCase)
                && (c.UtmSource is not null || c.UtmMedium is not null));
            (source, medium) = (tagged?.UtmSource, tagged?.UtmMedium);
        }
        return source is null && medium is null
            ? ChannelNames.Unassigned
            : ChannelClassifier.Classify(new ChannelInput(source, medium, campaign), rules).Channel;
    }

    /// <summary>The campaign's spent, in micros, in proportion to how much of its run lies in the range; all of it when its dates are not both known.</summary>
    public static long? SpentInRange(Campaign campaign, long fromMs, long toMs)
    {
        var micros = Money.ToMicros(campaign.Spent);
        if (campaign.StartDate is not { } start || campaign.EndDate is not { } end || end <= start)
        {
            return micros;
        }
        var (runFrom, runTo) = (start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds());
        var overlap = Math.Min(runTo, toMs) - Math.Max(runFrom, fromMs);
        return overlap <= 0 ? 0 : (long)Math.Round(micros * (double)overlap / (runTo - runFrom));
    }

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
