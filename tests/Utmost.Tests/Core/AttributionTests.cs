using Utmost.Core.Attribution;

namespace Utmost.Tests.Core;

public sealed class AttributionTests
{
    private static readonly long T0 = new DateTimeOffset(2025, 6, 30, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private const long Day = 86_400_000;
    private static readonly AttributionOptions Options = new();

    /// <summary>A converting journey: channels with how many days before the conversion (at T0) each touch came.</summary>
    private static AttributionPath Converted(double value, params (string Channel, double DaysBefore)[] touches) =>
        AttributionPath.Of(new AttributionJourney("j", touches.Select(t => new AttributionTouch(t.Channel, T0 - (long)(t.DaysBefore * Day))).ToList(),
            new AttributionConversion(T0, value)), Options.Window);

    private static AttributionPath Path(double conversions, double nulls, params string[] channels) =>
        new(channels.Select(c => new AttributionTouch(c)).ToList(), conversions, conversions * 10, nulls);

    private static Dictionary<string, double> Conversions(AttributionModel model, params AttributionPath[] paths) =>
        Attributor.Attribute(model, paths, Options).ToDictionary(c => c.Channel, c => c.Conversions);

    private static void AssertCredits(Dictionary<string, double> expected, Dictionary<string, double> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (channel, credit) in expected)
        {
            Assert.Equal(credit, actual[channel], 9);
        }
    }

    private static readonly AttributionPath FourTouches =
        Converted(100, ("Organic Search", 10), ("Email", 7), ("Paid Search", 3), ("Direct", 0));

    [Fact]
    public void First_and_last_click_give_everything_to_one_end()
    {
        AssertCredits(new() { ["Organic Search"] = 1 }, Conversions(AttributionModel.FirstClick, FourTouches));
        AssertCredits(new() { ["Direct"] = 1 }, Conversions(AttributionModel.LastClick, FourTouches));
    }

    [Fact]
    public void Last_non_direct_click_skips_trailing_direct_visits_unless_all_are_direct()
    {
        AssertCredits(new() { ["Paid Search"] = 1 }, Conversions(AttributionModel.LastNonDirectClick, FourTouches));
        AssertCredits(new() { ["Direct"] = 1 }, Conversions(AttributionModel.LastNonDirectClick, Converted(5, ("Direct", 3), ("Direct", 1))));
        AssertCredits(new() { ["Email"] = 1 }, Conversions(AttributionModel.LastNonDirectClick, Converted(5, ("Email", 3), ("direct", 1))));
        // A Direct visit before the last non-direct one changes nothing.
        AssertCredits(new() { ["Email"] = 1 }, Conversions(AttributionModel.LastNonDirectClick, Converted(5, ("Direct", 3), ("Email", 1), ("Direct", 0))));
    }

    [Fact]
    public void Linear_gives_a_channel_its_share_of_the_touches()
    {
        var path = Converted(60, ("Email", 3), ("Paid Search", 2), ("Email", 1));
        AssertCredits(new() { ["Email"] = 2.0 / 3, ["Paid Search"] = 1.0 / 3 }, Conversions(AttributionModel.Linear, path));
        var value = Attributor.Attribute(AttributionModel.Linear, [path], Options).ToDictionary(c => c.Channel, c => c.Value);
        Assert.Equal(40, value["Email"], 9);
        Assert.Equal(20, value["Paid Search"], 9);
    }

    [Fact]
    public void Any_click_gives_every_distinct_channel_the_whole_conversion()
    {
        var credits = Conversions(AttributionModel.AnyClick, Converted(1, ("Email", 3), ("Paid Search", 2), ("Email", 1)));
        AssertCredits(new() { ["Email"] = 1, ["Paid Search"] = 1 }, credits);
    }

    [Fact]
    public void Time_decay_halves_the_weight_every_half_life_of_continuous_time()
    {
        // 14, 7 and 0 days before: weights 1/4, 1/2, 1, so 1/7, 2/7, 4/7.
        var credits = Conversions(AttributionModel.TimeDecay, Converted(1, ("Organic Search", 14), ("Email", 7), ("Paid Search", 0)));
        AssertCredits(new() { ["Organic Search"] = 1.0 / 7, ["Email"] = 2.0 / 7, ["Paid Search"] = 4.0 / 7 }, credits);
        // Fractional days count: 3.5 days before is weight 2^-0.5 against 1 for the touch at the conversion.
        var half = Conversions(AttributionModel.TimeDecay, Converted(1, ("Email", 3.5), ("Paid Search", 0)));
        var w = Math.Pow(2, -0.5);
        AssertCredits(new() { ["Email"] = w / (1 + w), ["Paid Search"] = 1 / (1 + w) }, half);
        // Another half-life changes the weights.
        var longer = Attributor.Attribute(AttributionModel.TimeDecay, [Converted(1, ("Email", 14), ("Paid Search", 0))],
            Options with { HalfLife = TimeSpan.FromDays(14) }).ToDictionary(c => c.Channel, c => c.Conversions);
        AssertCredits(new() { ["Email"] = 1.0 / 3, ["Paid Search"] = 2.0 / 3 }, longer);
    }

    [Fact]
    public void Position_based_gives_forty_percent_to_each_end_and_splits_the_rest()
    {
        AssertCredits(new() { ["Organic Search"] = 0.4, ["Email"] = 0.1, ["Paid Search"] = 0.1, ["Direct"] = 0.4 },
            Conversions(AttributionModel.PositionBased, FourTouches));
        AssertCredits(new() { ["Email"] = 0.5, ["Paid Search"] = 0.5 }, Conversions(AttributionModel.PositionBased, Converted(1, ("Email", 2), ("Paid Search", 1))));
        AssertCredits(new() { ["Email"] = 1 }, Conversions(AttributionModel.PositionBased, Converted(1, ("Email", 2))));
    }

    [Fact]
    public void Touches_outside_the_window_or_after_the_conversion_are_left_out()
    {
        var journey = new AttributionJourney("j",
            [new("Display", T0 - 31 * Day), new("Email", T0 - 30 * Day), new("Paid Search", T0), new("Referral", T0 + 1)],
            new AttributionConversion(T0, 10));
        var path = AttributionPath.Of(journey, TimeSpan.FromDays(30));
        Assert.Equal(["Email", "Paid Search"], path.Touches.Select(t => t.Channel));
        // With every touch outside the window, the conversion still counts: as Direct.
        var empty = AttributionPath.Of(journey with { Touchpoints = [new("Display", T0 - 40 * Day)] }, TimeSpan.FromDays(30));
        AssertCredits(new() { ["Direct"] = 1 }, Conversions(AttributionModel.Linear, empty));
        AssertCredits(new() { ["Direct"] = 1 }, Conversions(AttributionModel.Markov, empty));
    }

    [Fact]
    public void Equal_timestamps_keep_the_given_order()
    {
        var journey = new AttributionJourney("j", [new("Email", T0 - Day), new("Paid Search", T0 - Day)], new AttributionConversion(T0, 1));
        var path = AttributionPath.Of(journey, Options.Window);
        Assert.Equal(["Email", "Paid Search"], path.Touches.Select(t => t.Channel));
    }

    [Fact]
    public void Shapley_splits_each_conversion_over_the_distinct_channels_of_its_path()
    {
        var credits = Conversions(AttributionModel.Shapley,
            Path(2, 0, "Email", "Paid Search", "Email"), Path(1, 0, "Email"), Path(0, 5, "Display", "Email"));
        // Path 1: {Email, Paid Search} shares 2; path 2: Email gets 1; the non-converting path gives nothing.
        AssertCredits(new() { ["Email"] = 2, ["Paid Search"] = 1 }, credits);
    }

    [Fact]
    public void Markov_removal_effects_match_the_hand_solved_chain()
    {
        // start→C1 2/3, start→C2 1/3; C1→C2 1/2, C1→null 1/2; C2→C3 1; C3→conversion 1/2, C3→null 1/2.
        // P = 2/3·1/2·1/2 + 1/3·1/2 = 1/3. Without C1: 1/6 (effect 1/2); without C2 or C3: 0 (effect 1).
        AttributionPath[] paths = [Path(1, 0, "C1", "C2", "C3"), Path(0, 1, "C1"), Path(0, 1, "C2", "C3")];
        Assert.Equal(1.0 / 3, MarkovModel.ConversionProbability(paths), 12);
        Assert.Equal(1.0 / 6, MarkovModel.ConversionProbability(paths, removed: "C1"), 12);
        var effects = MarkovModel.RemovalEffects(paths);
        Assert.Equal(0.5, effects["C1"], 12);
        Assert.Equal(1.0, effects["C2"], 12);
        Assert.Equal(1.0, effects["C3"], 12);
        // Credit in proportion to the effects (sum 2.5) of the one conversion.
        AssertCredits(new() { ["C1"] = 0.2, ["C2"] = 0.4, ["C3"] = 0.4 }, Conversions(AttributionModel.Markov, paths));
    }

    [Fact]
    public void Markov_collapses_repeats_and_gives_nothing_to_a_channel_only_on_non_converting_paths()
    {
        AttributionPath[] paths = [Path(1, 0, "Email", "Email", "Paid Search"), Path(0, 3, "Display"), Path(0, 1, "Email", "Display")];
        var credits = Conversions(AttributionModel.Markov, paths);
        Assert.Equal(0, credits.GetValueOrDefault("Display"), 12);
        Assert.Equal(1, credits.Values.Sum(), 12);
        // With repeats collapsed, Email→Email is no self-loop: Email goes on to Paid Search or Display, one each.
        // P = 2/5 (start→Email) · 1/2 (→Paid Search) · 1 = 1/5; removing either Email or Paid Search leaves 0.
        Assert.Equal(0.2, MarkovModel.ConversionProbability(paths), 12);
        AssertCredits(new() { ["Email"] = 0.5, ["Paid Search"] = 0.5, ["Display"] = 0 }, credits);
    }

    [Fact]
    public void Higher_order_markov_states_remember_where_a_visitor_came_from()
    {
        // A>B converts, C>B does not. First order cannot tell the two B's apart: A and C get a quarter each.
        // Second order has states (A,B) → conversion and (C,B) → null: C loses all credit to A.
        AttributionPath[] paths = [Path(1, 0, "A", "B"), Path(0, 1, "C", "B")];
        AssertCredits(new() { ["A"] = 0.25, ["B"] = 0.5, ["C"] = 0.25 }, Conversions(AttributionModel.Markov, paths));
        var second = Attributor.Attribute(AttributionModel.Markov, paths, Options with { MarkovOrder = 2 }).ToDictionary(c => c.Channel, c => c.Conversions);
        AssertCredits(new() { ["A"] = 0.5, ["B"] = 0.5, ["C"] = 0 }, second);
    }

    [Fact]
    public void Markov_agrees_with_a_monte_carlo_simulation_of_the_same_chain()
    {
        var random = new Random(7);
        string[] channels = ["A", "B", "C", "D", "E"];
        var paths = Enumerable.Range(0, 400).Select(_ =>
        {
            var length = random.Next(1, 6);
            var touches = Enumerable.Range(0, length).Select(_ => channels[random.Next(channels.Length)]).ToArray();
            var converted = random.NextDouble() < 0.3 + 0.1 * touches.Count(t => t == "A");
            return Path(converted ? 1 : 0, converted ? 0 : 1, touches);
        }).ToList();

        foreach (var removed in new string?[] { null, "A", "C" })
        {
            var exact = MarkovModel.ConversionProbability(paths, removed: removed);
            var simulated = Simulate(paths, removed, walks: 200_000, new Random(11));
            // Within four standard errors of the simulated proportion.
            var error = Math.Sqrt(exact * (1 - exact) / 200_000);
            Assert.InRange(simulated, exact - 4 * error, exact + 4 * error);
        }
    }

    /// <summary>Random walks over transition counts taken straight from the paths, independently of the model's code.</summary>
    private static double Simulate(IReadOnlyList<AttributionPath> paths, string? removed, int walks, Random random)
    {
        var next = new Dictionary<string, List<(string To, double Weight)>>();
        void Count(string from, string to, double weight)
        {
            if (weight <= 0)
            {
                return;
            }
            if (!next.TryGetValue(from, out var list))
            {
                next[from] = list = [];
            }
            list.Add((to, weight));
        }
        foreach (var path in paths)
        {
            var collapsed = path.Touches.Select(t => t.Channel).Where((c, i) => i == 0 || c != path.Touches[i - 1].Channel).ToList();
            var from = "(start)";
            foreach (var channel in collapsed)
            {
                Count(from, channel, path.Conversions + path.Nulls);
                from = channel;
            }
            Count(from, "(conversion)", path.Conversions);
            Count(from, "(null)", path.Nulls);
        }
        var converted = 0;
        for (var walk = 0; walk < walks; walk++)
        {
            var state = "(start)";
            while (state is not ("(conversion)" or "(null)"))
            {
                if (state == removed)
                {
                    state = "(null)";
                    break;
                }
                var options = next[state];
                var roll = random.NextDouble() * options.Sum(o => o.Weight);
                state = options[^1].To;
                foreach (var (to, weight) in options)
                {
                    roll -= weight;
                    if (roll < 0)
                    {
                        state = to;
                        break;
                    }
                }
            }
            converted += state == "(conversion)" ? 1 : 0;
        }
        return converted / (double)walks;
    }

    [Theory]
    [InlineData(AttributionModel.FirstClick)]
    [InlineData(AttributionModel.LastClick)]
    [InlineData(AttributionModel.LastNonDirectClick)]
    [InlineData(AttributionModel.Linear)]
    [InlineData(AttributionModel.TimeDecay)]
    [InlineData(AttributionModel.PositionBased)]
    [InlineData(AttributionModel.Markov)]
    [InlineData(AttributionModel.Shapley)]
    public void Every_model_but_any_click_hands_out_exactly_the_conversions_and_value_and_ignores_journey_order(AttributionModel model)
    {
        var random = new Random(3);
        string[] channels = ["Paid Search", "Email", "Direct", "Organic Social", "Referral"];
        var journeys = Enumerable.Range(0, 300).Select(i =>
        {
            var touches = Enumerable.Range(0, random.Next(0, 6))
                .Select(_ => new AttributionTouch(channels[random.Next(channels.Length)], T0 - random.NextInt64(0, 40 * Day))).ToList();
            var conversion = random.Next(3) == 0 ? null : new AttributionConversion(T0, Math.Round(random.NextDouble() * 200, 2));
            return new AttributionJourney($"j{i}", touches, conversion);
        }).ToList();
        var paths = journeys.Select(j => AttributionPath.Of(j, Options.Window)).ToList();

        var credits = Attributor.Attribute(model, paths, Options);
        Assert.Equal(paths.Sum(p => p.Conversions), credits.Sum(c => c.Conversions), 6);
        Assert.Equal(paths.Sum(p => p.Value), credits.Sum(c => c.Value), 6);
        Assert.All(credits, c => Assert.True(c.Conversions >= 0));

        var shuffled = Attributor.Attribute(model, paths.OrderBy(_ => random.Next()).ToList(), Options);
        Assert.Equal(credits.Select(c => c.Channel), shuffled.Select(c => c.Channel));
        Assert.All(credits.Zip(shuffled), pair => Assert.Equal(pair.First.Conversions, pair.Second.Conversions, 9));
    }

    [Theory]
    [InlineData(AttributionModel.FirstClick)]
    [InlineData(AttributionModel.LastNonDirectClick)]
    [InlineData(AttributionModel.Linear)]
    [InlineData(AttributionModel.TimeDecay)]
    [InlineData(AttributionModel.PositionBased)]
    [InlineData(AttributionModel.Shapley)]
    [InlineData(AttributionModel.AnyClick)]
    public void Per_touch_shares_add_up_to_what_the_model_credits_each_channel_in_total(AttributionModel model)
    {
        AttributionPath[] paths =
        [
            FourTouches, Converted(30, ("Email", 2), ("Email", 1), ("Direct", 0)), Converted(0), Path(0, 1, "Referral"),
            Converted(12, ("Paid Search", 20), ("Organic Social", 5)),
        ];

        var shares = Attributor.TouchShares(model, paths, Options);

        Assert.Empty(shares[3].Shares);
        Assert.Equal(["Direct"], shares[2].Touches.Select(t => t.Channel));
        var summed = shares.SelectMany((path, i) => path.Touches.Zip(path.Shares, (t, share) => (t.Channel, Share: share * paths[i].Conversions)))
            .Where(s => s.Share > 0).GroupBy(s => s.Channel).ToDictionary(g => g.Key, g => g.Sum(s => s.Share));
        AssertCredits(Conversions(model, paths), summed);
        if (model != AttributionModel.AnyClick)
        {
            Assert.All(shares.Where(path => path.Shares.Length > 0), path => Assert.Equal(1, path.Shares.Sum(), 12));
        }
    }

    [Fact]
    public void Per_conversion_markov_shares_follow_the_removal_effects_of_the_paths_channels_split_over_their_touches()
    {
        // The hand-solved chain above: effects C1 ½, C2 1, C3 1.
        AttributionPath[] paths = [Path(1, 0, "C1", "C2", "C3"), Path(0, 1, "C1"), Path(0, 1, "C2", "C3")];

        var shares = Attributor.TouchShares(AttributionModel.Markov, paths, Options);

        Assert.Equal([0.2, 0.4, 0.4], shares[0].Shares.Select(s => Math.Round(s, 12)));
        Assert.Empty(shares[1].Shares);
        // A channel's part is split over its touches; the campaign a touch credits does not change the chain.
        var twice = new AttributionPath([new("C1") { CreditTo = "C1/a" }, new("C2"), new("C1") { CreditTo = "C1/b" }, new("C3")], 1, 10, 0);
        var split = Attributor.TouchShares(AttributionModel.Markov, [twice, .. paths[1..]], Options)[0];
        Assert.Equal(["C1/a", "C2", "C1/b", "C3"], split.Touches.Select(t => t.Key));
        Assert.Equal(1, split.Shares.Sum(), 12);
        Assert.Equal(split.Shares[0], split.Shares[2], 12);
    }

    [Fact]
    public void Zero_value_conversions_still_count_as_conversions()
    {
        var credits = Attributor.Attribute(AttributionModel.Linear, [Converted(0, ("Email", 1), ("Paid Search", 0))], Options);
        Assert.Equal(1, credits.Sum(c => c.Conversions), 12);
        Assert.All(credits, c => Assert.Equal(0, c.Value));
    }

    [Fact]
    public void Time_decay_refuses_paths_without_timestamps()
    {
        var error = Assert.Throws<ArgumentException>(() => Attributor.Attribute(AttributionModel.TimeDecay, [Path(1, 0, "Email")], Options));
        Assert.Contains("time_decay", error.Message);
    }

    [Theory]
    [InlineData("markov", AttributionModel.Markov)]
    [InlineData("LAST_NON_DIRECT_CLICK", AttributionModel.LastNonDirectClick)]
    [InlineData(" time_decay ", AttributionModel.TimeDecay)]
    public void Model_names_parse_case_insensitively(string name, AttributionModel expected)
    {
        Assert.True(AttributionModels.TryParse(name, out var model));
        Assert.Equal(expected, model);
        Assert.False(AttributionModels.TryParse("data_driven", out _));
        Assert.Equal(9, AttributionModels.ValidNames.Count);
    }
}
