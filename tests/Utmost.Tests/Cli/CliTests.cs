using System.Net.Http.Headers;
using Utmost.Tests.Support;

namespace Utmost.Tests.Cli;

/// <summary>The admin verbs of the one binary, run as a user would, while a server uses the same data directory.</summary>
public sealed class CliTests : IDisposable
{
    private const string AdminKey = "utm_cli_admin_key_0123456789abcdef";
    private readonly TempDirectory _temp = new("cli");

    private string DataDir => _temp.Path;

    [Fact]
    public async Task Tenants_and_keys_created_by_the_cli_work_against_a_running_server()
    {
        await using var server = await ServerProcess.StartAsync(DataDir, AdminKey);
        var dataDir = $"--Utmost:DataDir={DataDir}";

        var (exit, output, error) = await ServerProcess.RunCliAsync("tenants", "create", "shop", "--name", "The Shop", dataDir);
        Assert.True(exit == 0, error);
        var tenant = ServerProcess.ParseJson(output);
        Assert.Equal("shop", tenant.GetProperty("slug").GetString());
        var siteKey = tenant.GetProperty("site_key").GetString()!;
        var adminKey = tenant.GetProperty("admin_key").GetString()!;

        (exit, output, error) = await ServerProcess.RunCliAsync("keys", "create", "--tenant", "shop", "--role", "viewer", dataDir);
        Assert.True(exit == 0, error);
        var viewerKey = ServerProcess.ParseJson(output).GetProperty("key").GetString()!;

        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        await anonymous.PostJsonAsync($"/marketing/event?site={siteKey}", """{"event_type":"page_view"}""");
        using var viewer = new HttpClient { BaseAddress = server.BaseAddress };
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewerKey);
        var current = await viewer.GetJsonAsync("/api/tenants/current");
        Assert.Equal("The Shop", current.GetProperty("name").GetString());
        Assert.Equal(1, await viewer.TotalEventsAsync());
        using var shopAdmin = new HttpClient { BaseAddress = server.BaseAddress };
        shopAdmin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        Assert.Equal("shop", (await shopAdmin.GetJsonAsync("/api/tenants/current")).GetProperty("slug").GetString());
    }

    [Theory]
    [InlineData("keys", "create", "--tenant", "nobody", "--role", "viewer")]
    [InlineData("keys", "create", "--tenant", "default", "--role", "owner")]
    [InlineData("tenants", "create", "Not A Slug")]
    [InlineData("tenants", "create", "default")]
    public async Task Bad_admin_commands_fail_with_a_message_and_a_nonzero_exit(params string[] args)
    {
        // The default tenant exists after the first migrate, as on a server's first start.
        var dataDir = $"--Utmost:DataDir={DataDir}";
        var (_, _, _) = await ServerProcess.RunCliAsync("tenants", "create", "default", dataDir);

        var (exit, output, error) = await ServerProcess.RunCliAsync([.. args, dataDir]);

        Assert.NotEqual(0, exit);
        Assert.False(string.IsNullOrWhiteSpace(error + output));
        Assert.DoesNotContain("   at ", error); // a message, not a stack trace
    }

    [Fact]
    public async Task Migrate_is_idempotent_and_an_unknown_storage_provider_is_refused_listing_the_valid_ones()
    {
        var dataDir = $"--Utmost:DataDir={DataDir}";
        Assert.Equal(0, (await ServerProcess.RunCliAsync("migrate", dataDir)).ExitCode);
        Assert.Equal(0, (await ServerProcess.RunCliAsync("migrate", dataDir)).ExitCode);

        var (exit, output, error) = await ServerProcess.RunCliAsync("serve", dataDir, "--Utmost:Storage:Provider=oracle", "--urls", "http://127.0.0.1:0");

        Assert.NotEqual(0, exit);
        Assert.Contains("Valid providers: sqlite", error + output);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData("--Utmost:Events:Provider=clickhouse", "--ConnectionStrings:ClickHouse=http://127.0.0.1:1/?database=u", "ConnectionStrings:ClickHouse")]
    [InlineData("--Utmost:Events:Provider=clickhouse", "--Utmost:Nothing=1", "ConnectionStrings:ClickHouse")]
    [InlineData("--Utmost:Storage:Provider=postgres", "--ConnectionStrings:Utmost=Host=127.0.0.1;Port=1;Database=x;Username=y;Timeout=3", "ConnectionStrings:Utmost")]
    public async Task An_unreachable_or_unconfigured_engine_stops_start_up_with_one_line_naming_the_setting(string provider, string connection, string setting)
    {
        var (exit, output, error) = await ServerProcess.RunCliAsync("serve", $"--Utmost:DataDir={DataDir}", "--urls", "http://127.0.0.1:0", provider, connection);

        Assert.NotEqual(0, exit);
        Assert.Contains(setting, error);
        Assert.DoesNotContain("   at ", error + output);
    }

    [Fact]
    public async Task Classify_prints_the_channel_lead_source_source_and_medium_as_json()
    {
        var (exit, output, error) = await ServerProcess.RunCliAsync(
            "classify", "--referrer", "https://www.google.de/", "--url", "https://shop.example.com/?gclid=abc");
        Assert.True(exit == 0, error);
        var paid = ServerProcess.ParseJson(output);
        Assert.Equal(("Paid Search", "paid_search", "google", "cpc"), (paid.GetProperty("channel").GetString(),
            paid.GetProperty("lead_source").GetString(), paid.GetProperty("source").GetString(), paid.GetProperty("medium").GetString()));

        (exit, output, error) = await ServerProcess.RunCliAsync("classify", "--source", "l.facebook.com", "--medium", "paid", "--campaign", "spring");
        Assert.True(exit == 0, error);
        var social = ServerProcess.ParseJson(output);
        Assert.Equal(("Paid Social", "facebook", "spring"), (social.GetProperty("channel").GetString(),
            social.GetProperty("source").GetString(), social.GetProperty("campaign").GetString()));
    }

    [Fact]
    public async Task Costs_imported_from_csv_are_served_by_the_api_and_a_bad_file_imports_nothing()
    {
        var dataDir = $"--Utmost:DataDir={DataDir}";
        var (exit, output, error) = await ServerProcess.RunCliAsync("tenants", "create", "ads", dataDir);
        Assert.True(exit == 0, error);
        var adminKey = ServerProcess.ParseJson(output).GetProperty("admin_key").GetString()!;
        Directory.CreateDirectory(DataDir);
        var good = Path.Combine(DataDir, "costs.csv");
        await File.WriteAllTextAsync(good, "Date;Campaign;Cost;Clicks;Ad group\n2025-06-01;summer;12.50;3;x\n");
        var bad = Path.Combine(DataDir, "bad.csv");
        await File.WriteAllTextAsync(bad, "date,campaign,cost\n2025-06-02,autumn,5\n2025-06-03,autumn,lots\n");

        (exit, output, error) = await ServerProcess.RunCliAsync("import", "costs", good, "--tenant", "ads", "--currency", "eur", dataDir);
        Assert.True(exit == 0, error);
        Assert.Equal(1, ServerProcess.ParseJson(output).GetProperty("imported").GetInt32());
        (exit, _, error) = await ServerProcess.RunCliAsync("import", "costs", bad, "--tenant", "ads", dataDir);
        Assert.NotEqual(0, exit);
        Assert.Contains("line 3: 'cost'", error);
        (exit, _, error) = await ServerProcess.RunCliAsync("import", "costs", good, "--tenant", "nobody", dataDir);
        Assert.NotEqual(0, exit);
        Assert.Contains("nobody", error);

        await using var server = await ServerProcess.StartAsync(DataDir, AdminKey);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        var costs = await client.GetJsonAsync("/api/costs");
        Assert.Equal(1, costs.GetArrayLength());
        Assert.Equal(("summer", 12.50m, "EUR", 3L), (costs[0].GetProperty("campaign").GetString(), costs[0].GetProperty("cost").GetDecimal(),
            costs[0].GetProperty("currency").GetString(), costs[0].GetProperty("clicks").GetInt64()));
    }

    public void Dispose() => _temp.Dispose();
}
