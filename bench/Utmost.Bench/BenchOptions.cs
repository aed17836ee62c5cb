using System.Globalization;

namespace Utmost.Bench;

/// <summary>The knobs of one benchmark run, read from <c>--name value</c> pairs.</summary>
internal sealed record BenchOptions
{
    public int Seconds { get; init; } = 10;
    // Tiered JIT keeps recompiling the server's hot paths for ~8 s on a 2-core machine; 5 s gets past most of it.
    public int WarmupSeconds { get; init; } = 5;
    public int BatchSize { get; init; } = 100;
    public int BatchConnections { get; init; } = 8;
    public int SingleConnections { get; init; } = 64;
    public int RawRows { get; init; } = 200_000;
    public int Seed { get; init; } = 20250601;

    public const string Usage = """
        usage: dotnet run -c Release --project bench/Utmost.Bench -- [options]
          --seconds N             measured seconds per HTTP scenario (default 10)
          --warmup N              warm-up seconds before each scenario (default 5)
          --batch-size N          events per POST /marketing/events (default 100)
          --batch-connections N   concurrent connections for batches (default 8)
          --single-connections N  concurrent connections for single events (default 64)
          --raw-rows N            rows for the raw SQLite insert ceiling (default 200000)
          --seed N                random seed of the event corpus (default 20250601)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                || value == 0 && name != "--warmup")
            {
                throw new ArgumentException($"{name} needs a positive integer.\n{Usage}");
            }
            i++;
            options = name switch
            {
                "--seconds" => options with { Seconds = value },
                "--warmup" => options with { WarmupSeconds = value },
                "--batch-size" => options with { BatchSize = Math.Min(value, 10_000) },
                "--batch-connections" => options with { BatchConnections = value },
                "--single-connections" => options with { SingleConnections = value },
                "--raw-rows" => options with { RawRows = value },
                "--seed" => options with { Seed = value },
                _ => throw new ArgumentException($"unknown option {name}\n{Usage}"),
            };
        }
        return options;
    }
}
