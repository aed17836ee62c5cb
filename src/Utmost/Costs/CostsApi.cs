using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Utmost.Core.Campaigns;
using Utmost.Core.Common;
using Utmost.Core.Costs;
using Utmost.Hosting;
using Utmost.Tenancy;

namespace Utmost.Costs;

/// <summary>
/// Daily advertising cost (per campaign, or per source/medium) for ROAS, CPA and CPC. Rows are all-or-nothing per
/// request, and a row for a day and campaign (or source/medium) already stored replaces it, so re-sending a day is safe.
/// </summary>
public static class CostsApi
{
    public const int MaxRows = 2_000;
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;

    /// <summary>A cost row as the API shows it.</summary>
    public sealed record CostResponse(string Date, string? Campaign, string? Source, string? Medium, decimal Cost, long? Clicks, long? Impressions,
        string Currency)
    {
        public static CostResponse From(CostRow row) => new(row.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row.Campaign,
            row.Source, row.Medium, Money.FromMicros(row.CostMicros), row.Clicks, row.Impressions, row.Currency);
    }

    public sealed record ImportResponse(int Imported);

    public static IEndpointRouteBuilder MapCostsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/costs").WithTags("Costs");
        group.MapGet("/", List).RequireAuthorization(Policies.Read).WithSummary("Daily costs, by day");
        group.MapPost("/", Import).RequireAuthorization(Policies.Write)
            .WithSummary("Add or replace daily costs: [{date, campaign | source + medium, cost, clicks, impressions, currency}]");
        return app;
    }

    public static async Task<Results<Ok<ImportResponse>, ValidationProblem, ProblemHttpResult>> Import(
        Caller caller, HttpRequest request, ICostStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadArrayAsync(request, JsonBody.SmallBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = new ValidationErrors();
        var rows = new List<CostRow>();
        using (body.Document)
        {
            var array = body.Document!.RootElement;
            if (array.GetArrayLength() is 0 or > MaxRows)
            {
                errors.Add("body", $"must be a JSON array of 1 to {MaxRows} cost rows");
            }
            var index = 0;
            foreach (var item in array.EnumerateArray().Take(MaxRows))
            {
                var prefix = $"[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(prefix, "must be an object");
                    continue;
                }
                if (CostRows.Parse(name => Field(item, name, prefix, errors), CampaignRules.DefaultCurrency, errors, prefix) is { } row)
                {
                    rows.Add(row);
                }
            }
        }
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "No cost row was stored.");
        }
        await store.UpsertAsync(caller.Tenant.Id, rows, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(new ImportResponse(rows.Count));
    }

    /// <summary>A field's text: strings as they are, numbers as written; anything else is named as wrong.</summary>
    private static string? Field(JsonElement item, string name, string prefix, ValidationErrors errors)
    {
        if (!item.TryGetProperty(name, out var value))
        {
            return null;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number:
                return value.GetRawText();
            case JsonValueKind.Null:
                return null;
            default:
                errors.Add(ValidationErrors.Join(prefix, name), "must be a string or a number");
                return null;
        }
    }

    public static async Task<Results<Ok<CostResponse[]>, ValidationProblem>> List(
        Caller caller, ICostStore store, string? start_date, string? end_date, string? limit, string? offset, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var from = Day(start_date, "start_date", errors);
        var to = Day(end_date, "end_date", errors);
        if (from > to)
        {
            errors.Add("end_date", "must not be before start_date");
        }
        var take = QueryParameters.Limit(limit, DefaultLimit, MaxLimit, errors);
        var skip = QueryParameters.Offset(offset, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var rows = await store.ListAsync(caller.Tenant.Id, from, to, take, skip, cancellationToken);
        return TypedResults.Ok(rows.Select(CostResponse.From).ToArray());
    }

    private static DateOnly? Day(string? text, string name, ValidationErrors errors)
    {
        if (text is null)
        {
            return null;
        }
        if (DateInput.TryParseDate(text, out var day))
        {
            return day;
        }
        errors.Add(name, "must be a date, YYYY-MM-DD");
        return null;
    }
}
