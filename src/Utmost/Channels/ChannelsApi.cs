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
        app.MapGroup("/api/channels").WithTags("Channels").RequireAuthorization(Policies.Read)
            .MapGet("/classify", Classify)
            .WithSummary("The channel (GA4 default channel group), AEON lead source, source and medium of a visit");
        return app;
    }

    public static Results<Ok<TrafficSource>, ValidationProblem> Classify(
        string? source, string? medium, string? campaign, string? referrer, string? url)
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
        return TypedResults.Ok(ChannelClassifier.Classify(new ChannelInput(source, medium, campaign, referrer, url)));
    }

    private static void Check(string? value, string name, int maxLength, ValidationErrors errors)
    {
        if (value is not null && TextRules.Check(value, maxLength) is { } problem)
        {
            errors.Add(name, problem);
        }
    }
}
