namespace Utmost.Core.Attribution;

/// <summary>
/// Splits the credit for conversions (and their value) over the channels on the paths that led to them (or what
/// their touches credit instead: see <see cref="AttributionTouch.CreditTo"/>). Every
/// model but <c>any_click</c> hands out exactly the conversions and value it is given. A converting path with no
/// touch left (all outside the window, or none recorded) counts as Direct, as GA4 counts a visit with no source.
/// </summary>
public static class Attributor
{
    public const string Direct = "Direct";

    public static IReadOnlyList<ChannelCredit> Attribute(AttributionModel model, IEnumerable<AttributionPath> paths, AttributionOptions? options = null)
    {
        options ??= new AttributionOptions();
        var sheet = new CreditSheet();
        // Non-converting paths matter only to Markov, and only with touches to walk.
        var usable = paths.Where(p => p.Conversions > 0 || (p.Nulls > 0 && p.Touches.Count > 0)).Select(WithDirectIfEmpty);
        switch (model)
        {
            case AttributionModel.Markov:
                MarkovModel.Attribute(usable.ToList(), options.MarkovOrder, sheet);
                break;
            case AttributionModel.Shapley:
                foreach (var path in usable.Where(p => p.Conversions > 0))
                {
                    // The simplified Shapley value: every channel of the path's set gets an equal share.
                    var channels = DistinctChannels(path);
                    foreach (var channel in channels)
                    {
                        sheet.Add(channel, 1.0 / channels.Count, path);
                    }
                }
                break;
            case AttributionModel.AnyClick:
                foreach (var path in usable.Where(p => p.Conversions > 0))
                {
                    foreach (var channel in DistinctChannels(path))
                    {
                        sheet.Add(channel, 1, path);
                    }
                }
                break;
            default:
                foreach (var path in usable.Where(p => p.Conversions > 0))
                {
                    var weights = RuleWeights(model, path, options);
                    for (var i = 0; i < weights.Length; i++)
                    {
                        if (weights[i] > 0)
                        {
                            sheet.Add(path.Touches[i].Key, weights[i], path);
                        }
                    }
                }
                break;
        }
        return sheet.Credits();
    }

    /// <summary>
    /// How each path's own conversion is split over its touches, by channel (<see cref="AttributionTouch.CreditTo"/>
    /// is ignored): the shares of a converting path add up to 1 (any_click: 1 per channel). Rule-based models weigh
    /// each touch; the others split a channel's part equally over its touches. For markov a path's channels share in
    /// proportion to their removal effects over all the paths given (equally when none has one): a split per
    /// conversion, where <see cref="Attribute"/> shares out the chain-wide total. A path that did not convert gets no
    /// shares; one with no touch gets a Direct touch, returned with the shares.
    /// </summary>
    public static IReadOnlyList<(IReadOnlyList<AttributionTouch> Touches, double[] Shares)> TouchShares(AttributionModel model,
        IReadOnlyList<AttributionPath> paths, AttributionOptions? options = null)
    {
        options ??= new AttributionOptions();
        var complete = paths.Select(WithDirectIfEmpty).ToList();
        Dictionary<string, double>? effects = null;
        if (model == AttributionModel.Markov)
        {
            // The chain is over channels: finer keys the touches credit are left aside.
            var byChannel = complete
                .Where(p => p.Conversions > 0 || p.Nulls > 0)
                .Select(p => p.Touches.Any(t => t.CreditTo is not null) ? p with { Touches = p.Touches.Select(t => t with { CreditTo = null }).ToList() } : p)
                .ToList();
            effects = MarkovModel.RemovalEffects(byChannel, options.MarkovOrder);
        }
        return complete.Select(path => (path.Touches, path.Conversions <= 0 ? [] : TouchSharesOf(model, path, options, effects))).ToList();
    }

    private static double[] TouchSharesOf(AttributionModel model, AttributionPath path, AttributionOptions options, Dictionary<string, double>? effects)
    {
        if (model is not (AttributionModel.Markov or AttributionModel.Shapley or AttributionModel.AnyClick))
        {
            return RuleWeights(model, path, options);
        }
        var channels = path.Touches.Select(t => t.Channel).Distinct(StringComparer.Ordinal).ToList();
        var weights = model == AttributionModel.Markov ? channels.Select(c => effects!.GetValueOrDefault(c)).ToList() : channels.Select(_ => 1.0).ToList();
        var sum = weights.Sum();
        var channelShare = channels.Select((c, i) => (c, model == AttributionModel.AnyClick ? 1.0 : sum > 0 ? weights[i] / sum : 1.0 / channels.Count))
            .ToDictionary(x => x.c, x => x.Item2, StringComparer.Ordinal);
        var touchesOf = path.Touches.CountBy(t => t.Channel).ToDictionary(StringComparer.Ordinal);
        return path.Touches.Select(t => channelShare[t.Channel] / touchesOf[t.Channel]).ToArray();
    }

    /// <summary>Each touch's share of a converting path under a rule-based model; the shares add up to 1.</summary>
    private static double[] RuleWeights(AttributionModel model, AttributionPath path, AttributionOptions options)
    {
        var n = path.Touches.Count;
        var weights = new double[n];
        switch (model)
        {
            case AttributionModel.FirstClick:
                weights[0] = 1;
                break;
            case AttributionModel.LastClick:
                weights[^1] = 1;
                break;
            case AttributionModel.LastNonDirectClick:
                var last = n - 1;
                while (last > 0 && IsDirect(path.Touches[last].Channel))
                {
                    last--;
                }
                // Direct only when every touch is Direct: then the last one.
                weights[IsDirect(path.Touches[last].Channel) ? n - 1 : last] = 1;
                break;
            case AttributionModel.Linear:
                Array.Fill(weights, 1.0 / n);
                break;
            case AttributionModel.PositionBased:
                if (n <= 2)
                {
                    Array.Fill(weights, 1.0 / n);
                }
                else
                {
                    Array.Fill(weights, 0.2 / (n - 2));
                    weights[0] = weights[^1] = 0.4;
                }
                break;
            case AttributionModel.TimeDecay:
                if (path.ConvertedAtMs is not { } convertedAt || path.Touches.Any(t => t.AtMs is null))
                {
                    throw new ArgumentException("time_decay needs the time of every touchpoint and of the conversion.", nameof(path));
                }
                var halfLifeDays = options.HalfLife.TotalDays;
                for (var i = 0; i < n; i++)
                {
                    var daysBefore = Math.Max(0, convertedAt - path.Touches[i].AtMs!.Value) / 86_400_000.0;
                    weights[i] = Math.Pow(2, -daysBefore / halfLifeDays);
                }
                var sum = weights.Sum();
                for (var i = 0; i < n; i++)
                {
                    weights[i] /= sum;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(model), model, "not a rule-based model");
        }
        return weights;
    }

    private static bool IsDirect(string channel) => string.Equals(channel, Direct, StringComparison.OrdinalIgnoreCase);

    private static List<string> DistinctChannels(AttributionPath path) => path.Touches.Select(t => t.Key).Distinct(StringComparer.Ordinal).ToList();

    private static AttributionPath WithDirectIfEmpty(AttributionPath path) =>
        path.Touches.Count > 0 ? path : path with { Touches = [new AttributionTouch(Direct, path.ConvertedAtMs)] };
}

/// <summary>Credit gathered per channel; listed by conversions, most first (then by name, so output is stable).</summary>
internal sealed class CreditSheet
{
    private readonly Dictionary<string, (double Conversions, double Value)> _byChannel = new(StringComparer.Ordinal);

    public void Add(string channel, double share, AttributionPath path) => Add(channel, share * path.Conversions, share * path.Value);

    public void Add(string channel, double conversions, double value)
    {
        var (c, v) = _byChannel.GetValueOrDefault(channel);
        _byChannel[channel] = (c + conversions, v + value);
    }

    public List<ChannelCredit> Credits() => _byChannel
        .Select(e => new ChannelCredit(e.Key, e.Value.Conversions, e.Value.Value))
        .OrderByDescending(c => c.Conversions).ThenBy(c => c.Channel, StringComparer.Ordinal)
        .ToList();
}
