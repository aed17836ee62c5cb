using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Cli;

/// <summary>utmost attribution, run as a user would: files in, JSON or a table out, no server.</summary>
public sealed class AttributionCliTests : IDisposable
{
    private readonly TempDirectory _temp = new("attribution-cli");

    private string Write(string name, string text)
    {
        Directory.CreateDirectory(_temp.Path);
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    // The hand-solved chain of the Markov unit test, as journeys: C1>C2>C3 converts (value 50), C1 and C2>C3 do not.
    private const string Journeys = """
        {"id": "a", "touchpoints": [{"channel": "C1", "timestamp": "2025-06-01T10:00:00Z"}, {"channel": "C2", "timestamp": "2025-06-02T10:00:00Z"}, {"channel": "C3", "timestamp": "2025-06-03T10:00:00Z"}], "conversion": {"timestamp": "2025-06-03T11:00:00Z", "value": 50.0}}
        {"id": "b", "touchpoints": [{"channel": "C1", "timestamp": "2025-06-01T10:00:00Z"}], "conversion": null}

        {"id": "c", "touchpoints": [{"channel": "C2", "timestamp": "2025-06-01T10:00:00Z"}, {"channel": "C3", "timestamp": "2025-06-01T11:00:00Z"}]}
        """;

    private static Dictionary<string, (double Conversions, double Value)> Channels(JsonElement result) =>
        result.GetProperty("channels").EnumerateArray().ToDictionary(
            c => c.GetProperty("channel").GetString()!, c => (c.GetProperty("conversions").GetDouble(), c.GetProperty("value").GetDouble()));

    [Fact]
    public async Task Markov_over_journeys_prints_the_credit_of_each_channel_most_first()
    {
        var (exit, output, error) = await ServerProcess.RunCliAsync("attribution", "--input", Write("journeys.jsonl", Journeys), "--model", "markov");

        Assert.True(exit == 0, error);
        var result = ServerProcess.ParseJson(output);
        Assert.Equal("markov", result.GetProperty("model").GetString());
        Assert.Equal(1, result.GetProperty("total_conversions").GetDouble());
        Assert.Equal(50, result.GetProperty("total_value").GetDouble());
        var channels = Channels(result);
        Assert.Equal(0.2, channels["C1"].Conversions, 9);
        Assert.Equal(0.4, channels["C2"].Conversions, 9);
        Assert.Equal(20, channels["C3"].Value, 9);
        Assert.Equal("C1", result.GetProperty("channels")[2].GetProperty("channel").GetString());
    }

    [Fact]
    public async Task All_models_print_side_by_side_and_the_window_cuts_old_touches()
    {
        var (exit, output, error) = await ServerProcess.RunCliAsync(
            "attribution", "--input", Write("journeys.jsonl", Journeys), "--model", "all", "--window-days", "1");

        Assert.True(exit == 0, error);
        var results = ServerProcess.ParseJson(output).EnumerateArray().ToDictionary(r => r.GetProperty("model").GetString()!);
        Assert.Equal(9, results.Count);
        // Within one day of the conversion only C3 (an hour before) remains: C2 came 25 hours before.
        Assert.Equal(["C3"], Channels(results["first_click"]).Keys);
        Assert.Equal(1, Channels(results["linear"]).Values.Sum(c => c.Conversions), 9);
    }

    [Fact]
    public async Task A_path_table_runs_the_models_that_need_no_timestamps()
    {
        var table = Write("paths.csv", """
            path;total_conversions;total_conversion_value;total_null
            "Email > Paid Search";3;300;1
            Display;0;0;4
            """);

        var (exit, output, error) = await ServerProcess.RunCliAsync("attribution", "--paths", table, "--model", "position_based", "--format", "table");
        Assert.True(exit == 0, error);
        Assert.Contains("position_based: 3 conversions, value 300", output);
        Assert.Contains("Email", output);

        (exit, output, error) = await ServerProcess.RunCliAsync("attribution", "--paths", table, "--model", "time_decay");
        Assert.NotEqual(0, exit);
        Assert.Contains("timestamps", error);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("--model", "data_driven", "valid: first_click")]
    [InlineData("--window-days", "0", "between 1 and 365")]
    [InlineData("--window-days", "366", "between 1 and 365")]
    [InlineData("--order", "4", "between 1 and 3")]
    [InlineData("--format", "xml", "json or table")]
    public async Task Bad_options_fail_with_a_message(string option, string value, string message)
    {
        var (exit, output, error) = await ServerProcess.RunCliAsync("attribution", "--input", Write("journeys.jsonl", Journeys), option, value);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, error);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_missing_file_or_a_directory_is_an_error_not_a_crash()
    {
        foreach (var path in new[] { Path.Combine(_temp.Path, "absent.jsonl"), Path.GetTempPath() })
        {
            var (exit, output, error) = await ServerProcess.RunCliAsync("attribution", "--input", path);

            Assert.NotEqual(0, exit);
            Assert.StartsWith("error: ", error);
            Assert.Equal("", output);
        }
    }

    [Fact]
    public async Task A_malformed_line_names_its_number_and_nothing_is_printed()
    {
        var input = Write("bad.jsonl", Journeys + "\n{\"id\": \"d\", \"touchpoints\": [{\"channel\": \"C1\", \"timestamp\": \"yesterday\"}]}\n");

        var (exit, output, error) = await ServerProcess.RunCliAsync("attribution", "--input", input, "--model", "linear");

        Assert.NotEqual(0, exit);
        Assert.Contains("line 5", error);
        Assert.Contains("touchpoints[0].timestamp", error);
        Assert.Equal("", output);
        Assert.DoesNotContain("   at ", error);
    }

    public void Dispose() => _temp.Dispose();
}
