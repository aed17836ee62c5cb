using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Utmost.Tenancy;

namespace Utmost.Tests.Support;

/// <summary>
/// A real Utmost server in this process: Kestrel on a free loopback port, SQLite in a fresh temp directory.
/// Tests talk to it over real HTTP. One per test class (xunit class fixture), so no class sees another's data.
/// </summary>
public class TestServer : IAsyncLifetime
{
    public const string AdminKey = "utm_test_admin_key_0123456789abcdef";

    private WebApplication? _app;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "utmost-tests", Guid.NewGuid().ToString("N"));

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Extra configuration as <c>--Key=Value</c> arguments, set before <see cref="InitializeAsync"/>.</summary>
    public List<string> ExtraArgs { get; } = [];

    public virtual async Task InitializeAsync()
    {
        string[] args = ["--urls", "http://127.0.0.1:0", $"--Utmost:DataDir={DataDir}", $"--Utmost:AdminKey={AdminKey}",
            "--Logging:LogLevel:Default=Warning", .. ExtraArgs];
        _app = Program.BuildServer(args);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress };

    /// <summary>A client sending <c>Authorization: Bearer key</c>.</summary>
    public HttpClient WithKey(string key)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Admin() => WithKey(AdminKey);

    /// <summary>Creates another tenant, as the CLI does; returns its slug, site key and admin key.</summary>
    public async Task<TenantAdministration.CreatedTenant> CreateTenantAsync(string slug)
    {
        var admin = Services.GetRequiredService<TenantAdministration>();
        return await admin.CreateTenantAsync(slug, null, null, CancellationToken.None);
    }

    public async Task<string> CreateKeyAsync(string slug, string role) =>
        await Services.GetRequiredService<TenantAdministration>().CreateKeyAsync(slug, role, CancellationToken.None);
}

/// <summary>Small helpers for JSON over HTTP.</summary>
public static class Http
{
    public static StringContent Json(string json, string contentType = "application/json") =>
        new(json, Encoding.UTF8, contentType);

    public static StringContent Json(object value) =>
        new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadJsonAsync();
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string path, string json, int expectedStatus = 201)
    {
        using var response = await client.PostAsync(path, Json(json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"POST {path} answered {(int)response.StatusCode}, expected {expectedStatus}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<long> TotalEventsAsync(this HttpClient admin) =>
        (await admin.GetJsonAsync("/marketing/metrics")).GetProperty("total_events").GetInt64();

    /// <summary>Asserts an RFC 9457 problem with the status, naming <paramref name="field"/> in its errors when given.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, int status, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        if (field is not null)
        {
            var errors = problem.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out _), $"the problem does not name '{field}': {body}");
        }
        return problem;
    }
}

/// <summary>The same server with its operational data (tenants, keys, campaigns) on a throw-away PostgreSQL.</summary>
public sealed class PostgresTestServer() : BackendTestServer(postgres: true, clickHouse: false);

/// <summary>Operational data in SQLite, events in a throw-away ClickHouse (through the local spool).</summary>
public sealed class ClickHouseTestServer() : BackendTestServer(postgres: false, clickHouse: true);

/// <summary>The scale-out layout: operational data in PostgreSQL, events in ClickHouse.</summary>
public sealed class PostgresClickHouseTestServer() : BackendTestServer(postgres: true, clickHouse: true);

/// <summary>Events in a two-shard ClickHouse cluster behind a Distributed table; operational data in SQLite.</summary>
public sealed class ClickHouseClusterTestServer : TestServer
{
    private readonly ClickHouseCluster _cluster = new();

    public ClickHouseCluster Cluster => _cluster;

    public override async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        ExtraArgs.AddRange(_cluster.UtmostArgs("utmost"));
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _cluster.DisposeAsync();
    }
}

/// <summary>A test server whose storage engines are real, throw-away servers started for it.</summary>
public abstract class BackendTestServer(bool postgres, bool clickHouse) : TestServer
{
    private readonly PostgresServer? _postgres = postgres ? new PostgresServer() : null;
    private readonly ClickHouseServer? _clickHouse = clickHouse ? new ClickHouseServer() : null;

    public ClickHouseServer ClickHouse => _clickHouse ?? throw new InvalidOperationException("This server has no ClickHouse.");

    public override async Task InitializeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.InitializeAsync();
            var connectionString = await _postgres.CreateDatabaseAsync("utmost");
            ExtraArgs.AddRange(["--Utmost:Storage:Provider=postgres", $"--ConnectionStrings:Utmost={connectionString}"]);
        }
        if (_clickHouse is not null)
        {
            await _clickHouse.InitializeAsync();
            ExtraArgs.AddRange(["--Utmost:Events:Provider=clickhouse", $"--ConnectionStrings:ClickHouse={ClickHouseConnectionString(_clickHouse)}"]);
        }
        await base.InitializeAsync();
    }

    /// <summary>How Utmost reaches ClickHouse: directly, unless a subclass puts something in between.</summary>
    protected virtual string ClickHouseConnectionString(ClickHouseServer server) => server.ConnectionString("utmost");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_clickHouse is not null)
        {
            await _clickHouse.DisposeAsync();
        }
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
