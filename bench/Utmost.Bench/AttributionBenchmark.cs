using System.Diagnostics;
using Utmost.Core.Attribution;

namespace Utmost.Bench;

/// <summary>
/// The attribution models over 1,000,000 random journeys (4 touchpoints on average, 8 channels, a third of them
/// converting), in-process on one thread: the rule-based models together, Markov and Shapley each, and the
/// process's peak memory, against the issue's targets.
/// </summary>
internal static class AttributionBenchmark
{
    private const int Journeys = 1_000_000;

    private static readonly string[] Channels =
        ["Paid Search", "Organic Search", "Direct", "Email", "Paid Social", "Organic Social", "Referral", "Display"];

    public static int Run(BenchOptions options)
    {
        Console.WriteLine($"Building {Journeys:#,0} journeys (seed {options.Seed})...");
        var paths = BuildPaths(new Random(options.Seed));
        var touches = paths.Sum(p => p.Touches.Count);
        Console.WriteLine($"  {touches / (double)Journeys:0.00} touchpoints per journey, {paths.Sum(p => p.Conversions):#,0} conversions");

        AttributionModel[] rules =
        [
            AttributionModel.FirstClick, AttributionModel.LastClick, AttributionModel.LastNonDirectClick, AttributionModel.AnyClick,
            AttributionModel.Linear, AttributionModel.TimeDecay, AttributionModel.PositionBased,
        ];
        // A warm-up run of each on a slice, so the JIT is not what is measured.
        foreach (var model in AttributionModels.All)
        {
            Attributor.Attribute(model, paths.Take(10_000), new AttributionOptions());
        }
        var ruleSeconds = Time(() =>
        {
            foreach (var model in rules)
            {
                Attributor.Attribute(model, paths, new AttributionOptions());
            }
        });
        var markovSeconds = Time(() => Attributor.Attribute(AttributionModel.Markov, paths, new AttributionOptions()));
        var shapleySeconds = Time(() => Attributor.Attribute(AttributionModel.Shapley, paths, new AttributionOptions()));
        var peakMb = ServerProcess.ReadStatusKb(Environment.ProcessId, "VmHWM") / 1024.0;

        Console.WriteLine();
        Console.WriteLine($"Attribution over {Journeys:#,0} journeys, one thread");
        Console.WriteLine();
        Console.WriteLine("figure                                  measured   target  result");
        Console.WriteLine("--------------------------------------  --------  -------  ------");
        Row("7 rule-based models together (s)", ruleSeconds, 2);
        Row("markov, first order, exact (s)", markovSeconds, 2);
        Row("shapley (s)", shapleySeconds, 1);
        Row("process peak memory (MB, VmHWM)", peakMb, 1024);
        return 0;
    }

    private static void Row(string name, double measured, double target) =>
        Console.WriteLine($"{name,-38}  {measured,8:0.00}  {"<= " + target,7}  {(measured <= target ? "PASS" : "MISS"),6}");

    private static List<AttributionPath> BuildPaths(Random random)
    {
        var conversionAt = new DateTimeOffset(2025, 6, 30, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var window = new AttributionOptions().Window;
        var paths = new List<AttributionPath>(Journeys);
        for (var i = 0; i < Journeys; i++)
        {
            // 1 to 7 touchpoints, 4 on average; channels skewed towards the first ones, as real traffic is.
            var count = 1 + random.Next(7);
            var touches = new AttributionTouch[count];
            for (var t = 0; t < count; t++)
            {
                var channel = Channels[Math.Min(random.Next(Channels.Length), random.Next(Channels.Length))];
                touches[t] = new AttributionTouch(channel, conversionAt - random.NextInt64(0, 20L * 86_400_000));
            }
            var conversion = random.Next(3) == 0 ? new AttributionConversion(conversionAt, random.Next(10, 500)) : null;
            paths.Add(AttributionPath.Of(new AttributionJourney($"j{i}", touches, conversion), window));
        }
        return paths;
    }

    private static double Time(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalSeconds;
    }
}
