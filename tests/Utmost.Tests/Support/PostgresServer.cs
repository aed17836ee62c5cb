using System.Diagnostics;

namespace Utmost.Tests.Support;

/// <summary>
/// A throw-away PostgreSQL cluster (Debian's postgresql package) in a temp directory on a free loopback port,
/// created with initdb and started with pg_ctl, as the postgres user when the tests run as root.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("postgres");
    private int _port;

    public static string? BinDirectory =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;

    public static bool IsInstalled => BinDirectory is not null;

    private string DataDirectory => Path.Combine(_dir.Path, "data");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Database={database};Pooling=true;Timeout=15";

    public async Task InitializeAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: install Debian's postgresql (scripts/test.sh does, as root).");
        Directory.CreateDirectory(_dir.Path);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _dir.Path], asPostgres: false);
        }
        _port = Ports.Free();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", DataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "-w", "-t", "60", "-l", Path.Combine(_dir.Path, "log"),
            "-o", $"-p {_port} -k {_dir.Path} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);
    }

    /// <summary>A fresh database on this cluster; each test fixture takes its own.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async Task DisposeAsync()
    {
        if (BinDirectory is { } bin && Directory.Exists(DataDirectory))
        {
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "stop"], check: false);
        }
        Npgsql.NpgsqlConnection.ClearAllPools();
        _dir.Dispose();
    }

    private static async Task RunAsync(string program, IEnumerable<string> args, bool asPostgres = true, bool check = true)
    {
        var runAsPostgres = asPostgres && Environment.UserName == "root";
        var start = new ProcessStartInfo(runAsPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAsPostgres)
        {
            foreach (var arg in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(arg);
            }
        }
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await error}{await output}");
        }
    }
}
