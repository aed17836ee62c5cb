namespace Utmost.Core.Attribution;

/// <summary>The attribution models: GA4's rule-based ones and two data-driven ones.</summary>
public enum AttributionModel
{
    FirstClick,
    LastClick,
    LastNonDirectClick,
    AnyClick,
    Linear,
    TimeDecay,
    PositionBased,
    Markov,
    Shapley,
}

public static class AttributionModels
{
    public const AttributionModel Default = AttributionModel.LastNonDirectClick;

    private static readonly (AttributionModel Model, string Name)[] Names =
    [
        (AttributionModel.FirstClick, "first_click"),
        (AttributionModel.LastClick, "last_click"),
        (AttributionModel.LastNonDirectClick, "last_non_direct_click"),
        (AttributionModel.AnyClick, "any_click"),
        (AttributionModel.Linear, "linear"),
        (AttributionModel.TimeDecay, "time_decay"),
        (AttributionModel.PositionBased, "position_based"),
        (AttributionModel.Markov, "markov"),
        (AttributionModel.Shapley, "shapley"),
    ];

    public static IReadOnlyList<AttributionModel> All { get; } = Names.Select(n => n.Model).ToArray();

    /// <summary>The valid names, for error messages.</summary>
    public static IReadOnlyList<string> ValidNames { get; } = Names.Select(n => n.Name).ToArray();

    public static string NameOf(AttributionModel model) => Names.First(n => n.Model == model).Name;

    /// <summary>AquaScene's names for two of the models.</summary>
    private static readonly (AttributionModel Model, string Name)[] Aliases =
        [(AttributionModel.FirstClick, "first_touch"), (AttributionModel.LastClick, "last_touch")];

    public static bool TryParse(string? name, out AttributionModel model)
    {
        foreach (var (candidate, candidateName) in Names.Concat(Aliases))
        {
            if (string.Equals(name?.Trim(), candidateName, StringComparison.OrdinalIgnoreCase))
            {
                model = candidate;
                return true;
            }
        }
        model = Default;
        return false;
    }

    /// <summary>Whether the model needs each touchpoint's time (so it cannot run on a path table).</summary>
    public static bool NeedsTimestamps(AttributionModel model) => model == AttributionModel.TimeDecay;
}
