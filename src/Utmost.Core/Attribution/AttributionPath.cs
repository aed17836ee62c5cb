namespace Utmost.Core.Attribution;

/// <summary>One marketing touch on a journey. <paramref name="AtMs"/> is UTC epoch milliseconds, null when unknown (path tables).</summary>
public sealed record AttributionTouch(string Channel, long? AtMs = null, string? Source = null, string? Medium = null, string? Campaign = null)
{
    /// <summary>
    /// What the touch's credit goes to when finer than the channel (a campaign, a source/medium); the channel
    /// still decides what counts as Direct.
    /// </summary>
    public string? CreditTo { get; init; }

    public string Key => CreditTo ?? Channel;
}

/// <summary>A conversion that ended a journey, with its value in the tenant's currency.</summary>
public sealed record AttributionConversion(long AtMs, double Value);

/// <summary>One person's way to a conversion (or to none).</summary>
public sealed record AttributionJourney(string Id, IReadOnlyList<AttributionTouch> Touchpoints, AttributionConversion? Conversion);

/// <summary>
/// What every model works on: an ordered path of touches with how many journeys took it and converted (and their
/// value) or did not. A journey is a path taken once; a row of a path table is a path taken many times.
/// </summary>
public sealed record AttributionPath(IReadOnlyList<AttributionTouch> Touches, double Conversions, double Value, double Nulls, long? ConvertedAtMs = null)
{
    /// <summary>
    /// The journey as a path: touchpoints in time order (ties keep their given order), those after the conversion or
    /// more than <paramref name="window"/> before it left out. A non-converting journey keeps every touchpoint.
    /// </summary>
    public static AttributionPath Of(AttributionJourney journey, TimeSpan window)
    {
        var ordered = journey.Touchpoints.OrderBy(t => t.AtMs ?? long.MinValue).ToList();
        if (journey.Conversion is not { } conversion)
        {
            return new AttributionPath(ordered, 0, 0, 1);
        }
        var earliest = conversion.AtMs - (long)window.TotalMilliseconds;
        var inWindow = ordered.Where(t => t.AtMs is not { } at || (at >= earliest && at <= conversion.AtMs)).ToList();
        return new AttributionPath(inWindow, 1, conversion.Value, 0, conversion.AtMs);
    }
}

/// <summary>The credit a channel receives: conversions (fractional) and value.</summary>
public sealed record ChannelCredit(string Channel, double Conversions, double Value);

/// <summary>Settings of the models that have some.</summary>
public sealed record AttributionOptions
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(30);

    /// <summary>Touchpoints older than this before the conversion are left out (1 to 365 days).</summary>
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>time_decay: a touchpoint this long before the conversion gets half the weight of one at it.</summary>
    public TimeSpan HalfLife { get; init; } = TimeSpan.FromDays(7);

    /// <summary>markov: how many preceding channels make a state (1 = first order).</summary>
    public int MarkovOrder { get; init; } = 1;
}
