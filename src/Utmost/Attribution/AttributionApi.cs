using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Attribution;
using Utmost.Core.Common;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Attribution;

/// <summary>
/// AquaScene's GET /attribution/revenue: conversions and revenue credited to channels (or campaigns, or
/// source/medium) by a model, computed from the stored journeys; and GA4's model comparison, every model side by side.
/// </summary>
public static class AttributionApi
{
    public const int DefaultRangeDays = 30;

    public static IEndpointRouteBuilder MapAttributionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/analytics/attribution/revenue", Revenue).WithTags("Attribution").RequireAuthorization(Policies.Read)
            .WithSummary("Conversions and revenue credited by one attribution model, per channel, campaign or source/medium");
        app.MapGet("/api/v1/analytics/attribution/compare", Compare).WithTags("Attribution").RequireAuthorization(Policies.Read)
            .WithSummary("Every attribution model side by side: conversions and revenue per channel, campaign or source/medium");
        app.MapPost("/api/v1/analytics/attribution/recompute", Recompute).WithTags("Attribution").RequireAuthorization(Policies.Write)
            .WithSummary("Recompute the stored per-conversion credits of every model for a date range (recent ones are kept current in the background)");
        return app;
    }

    /// <summary>The longest range one recomputation takes: a year's journeys are held in memory at once.</summary>
    public const int MaxRecomputeDays = 366;

    public sealed record RecomputeResponse(DateTimeOffset DateFrom, DateTimeOffset DateTo, int Conversions);

    public static async Task<Results<Ok<RecomputeResponse>, ValidationProblem>> Recompute(Caller caller, CreditRecompute recompute, TimeProvider clock,
        string? date_from, string? date_to, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (fromMs, toMs) = ParseRange(caller.Tenant, clock, date_from, date_to, errors, "date_from", "date_to");
        if (errors.IsEmpty && toMs - fromMs > (long)TimeSpan.FromDays(MaxRecomputeDays).TotalMilliseconds)
        {
            errors.Add("date_to", $"must be at most {MaxRecomputeDays} days after date_from: recompute a longer history a year at a time");
        }
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var conversions = await recompute.RecomputeAsync(caller.Tenant, fromMs, toMs, cancellationToken);
        return TypedResults.Ok(new RecomputeResponse(Time(fromMs), Time(toMs), conversions));
    }

    public sealed record RowResponse(
        string Channel,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Campaign,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Source,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Medium,
        double Conversions, decimal Revenue, double ConversionShare, double RevenueShare);

    public sealed record RevenueResponse(string Model, DateTimeOffset DateFrom, DateTimeOffset DateTo, int WindowDays, string GroupBy,
        string? Currency, double TotalConversions, decimal TotalRevenue, int ConversionsInOtherCurrencies, RowResponse[] Rows);

    public sealed record ModelCredit(double Conversions, decimal Revenue);

    public sealed record ComparisonRow(
        string Channel,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Campaign,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Source,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Medium,
        Dictionary<string, ModelCredit> Models);

    public sealed record ComparisonResponse(DateTimeOffset DateFrom, DateTimeOffset DateTo, int WindowDays, string GroupBy, string? Currency,
        double TotalConversions, decimal TotalRevenue, int ConversionsInOtherCurrencies, string[] Models, ComparisonRow[] Rows);

    /// <summary>The query both endpoints share, checked.</summary>
    private sealed record Query(long FromMs, long ToMs, TimeSpan Window, AttributionGrouping Grouping, string? Channel)
    {
        public int WindowDays => (int)Window.TotalDays;
        public string GroupByName => GroupingNames.First(n => n.Grouping == Grouping).Name;
    }

    private static readonly (AttributionGrouping Grouping, string Name)[] GroupingNames =
        [(AttributionGrouping.Channel, "channel"), (AttributionGrouping.Campaign, "campaign"), (AttributionGrouping.SourceMedium, "source_medium")];

    public static async Task<Results<Ok<RevenueResponse>, ValidationProblem>> Revenue(Caller caller, AttributionDataSource source,
        TimeProvider clock, string? model, string? date_from, string? date_to, string? window_days, string? group_by, string? channel,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var chosen = ParseModel(model, errors);
        var query = ParseQuery(caller.Tenant, clock, date_from, date_to, window_days, group_by, channel, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var data = await source.LoadAsync(caller.Tenant, query.FromMs, query.ToMs, query.Window, cancellationToken);
        var credits = Attributor.Attribute(chosen, data.Paths(query.Grouping, query.Window), new AttributionOptions { Window = query.Window });
        var (conversions, revenue) = Totals(data);
        var rows = credits
            .Select(c => (Key: AttributionKey.Decode(c.Channel, query.Grouping), Credit: c))
            .Where(r => Shown(r.Key, query))
            .Select(r => new RowResponse(r.Key.Channel, r.Key.Campaign, r.Key.Source, r.Key.Medium, Round(r.Credit.Conversions), Money(r.Credit.Value),
                Percent(r.Credit.Conversions, conversions), Percent(r.Credit.Value, revenue)))
            .ToArray();
        return TypedResults.Ok(new RevenueResponse(AttributionModels.NameOf(chosen), Time(query.FromMs), Time(query.ToMs), query.WindowDays,
            query.GroupByName, data.Currency, conversions, Money(revenue), data.ConversionsInOtherCurrencies, rows));
    }

    public static async Task<Results<Ok<ComparisonResponse>, ValidationProblem>> Compare(Caller caller, AttributionDataSource source,
        TimeProvider clock, string? models, string? date_from, string? date_to, string? window_days, string? group_by, string? channel,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var chosen = new List<AttributionModel>();
        foreach (var name in (models ?? string.Join(',', AttributionModels.ValidNames)).Split(',', StringSplitOptions.TrimEntries))
        {
            if (AttributionModels.TryParse(name, out var parsed))
            {
                chosen.Add(parsed);
            }
            else
            {
                errors.Add("models", $"must be a comma-separated list of: {string.Join(", ", AttributionModels.ValidNames)}");
                break;
            }
        }
        var query = ParseQuery(caller.Tenant, clock, date_from, date_to, window_days, group_by, channel, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        chosen = chosen.Distinct().ToList();
        var data = await source.LoadAsync(caller.Tenant, query.FromMs, query.ToMs, query.Window, cancellationToken);
        var paths = data.Paths(query.Grouping, query.Window).ToList();
        var options = new AttributionOptions { Window = query.Window };
        var credits = chosen.Select(m => Attributor.Attribute(m, paths, options)).ToList();
        var byModel = chosen.Zip(credits).ToDictionary(x => x.First, x => x.Second.ToDictionary(c => c.Channel));
        // Rows in the order of the first model's credit, then any key only other models credit.
        var keys = credits.SelectMany(list => list.Select(c => c.Channel)).Distinct().ToList();
        var rows = keys
            .Select(encoded => (Encoded: encoded, Key: AttributionKey.Decode(encoded, query.Grouping)))
            .Where(k => Shown(k.Key, query))
            .Select(k => new ComparisonRow(k.Key.Channel, k.Key.Campaign, k.Key.Source, k.Key.Medium, chosen.ToDictionary(AttributionModels.NameOf,
                m => byModel[m].TryGetValue(k.Encoded, out var c) ? new ModelCredit(Round(c.Conversions), Money(c.Value)) : new ModelCredit(0, 0))))
            .ToArray();
        var (conversions, revenue) = Totals(data);
        return TypedResults.Ok(new ComparisonResponse(Time(query.FromMs), Time(query.ToMs), query.WindowDays, query.GroupByName, data.Currency,
            conversions, Money(revenue), data.ConversionsInOtherCurrencies, chosen.Select(AttributionModels.NameOf).ToArray(), rows));
    }

    private static Query ParseQuery(Tenant tenant, TimeProvider clock, string? dateFrom, string? dateTo, string? windowDays, string? groupBy,
        string? channel, ValidationErrors errors)
    {
        var (fromMs, toMs) = ParseRange(tenant, clock, dateFrom, dateTo, errors, "date_from", "date_to");
        var days = QueryParameters.Integer(windowDays, "window_days", (int)AttributionOptions.DefaultWindow.TotalDays, 1, 365, errors);
        var grouping = AttributionGrouping.Channel;
        if (groupBy is not null)
        {
            var match = GroupingNames.FirstOrDefault(n => string.Equals(n.Name, groupBy.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
            {
                errors.Add("group_by", $"must be one of: {string.Join(", ", GroupingNames.Select(n => n.Name))}");
            }
            grouping = match.Grouping;
        }
        return new Query(fromMs, toMs, TimeSpan.FromDays(days), grouping, QueryParameters.Text(channel, "channel", errors));
    }

    /// <summary>The <c>model</c> parameter: the default when absent; a 400 listing the valid names when unknown.</summary>
    public static AttributionModel ParseModel(string? model, ValidationErrors errors, string field = "model")
    {
        var chosen = AttributionModels.Default;
        if (model is not null && !AttributionModels.TryParse(model, out chosen))
        {
            errors.Add(field, $"must be one of: {string.Join(", ", AttributionModels.ValidNames)}");
        }
        return chosen;
    }

    /// <summary>A date range as the reports take it: both ends inclusive; without dates, the 30 days up to now.</summary>
    public static (long FromMs, long ToMs) ParseRange(Tenant tenant, TimeProvider clock, string? start, string? end, ValidationErrors errors,
        string startName, string endName)
    {
        var (from, to) = QueryParameters.DateRange(start, end, tenant, errors, startName, endName);
        var toMs = to ?? clock.GetUtcNow().ToUnixTimeMilliseconds();
        var fromMs = from ?? toMs - (long)TimeSpan.FromDays(DefaultRangeDays).TotalMilliseconds;
        if (from is not null && to is null && fromMs > toMs)
        {
            errors.Add(startName, $"must not be in the future without {endName}");
        }
        return (fromMs, toMs);
    }

    private static bool Shown(AttributionKey key, Query query) =>
        query.Channel is null || string.Equals(key.Channel, query.Channel, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every conversion of the range, and their value: what the models share out (any_click aside).</summary>
    private static (double Conversions, double Revenue) Totals(AttributionData data)
    {
        var converted = data.Journeys.Select(j => j.Journey.Conversion).OfType<Core.Sessions.Conversion>().ToList();
        return (converted.Count, converted.Sum(data.ValueOf));
    }

    private static double Round(double value) => Math.Round(value, 4);

    private static decimal Money(double value) => Math.Round((decimal)value, 2);

    private static double Percent(double part, double whole) => whole == 0 ? 0 : Math.Round(part / whole * 100, 2);

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
