using System.Diagnostics;

namespace Utmost.Tests.Support;

/// <summary>
/// A throw-away ClickHouse server (Debian's clickhouse-server) on free loopback ports with its own config and
/// data directory. Test classes that use it declare <see cref="NeedsServersAttribute"/>.
/// </summary>
public sealed class ClickHouseServer : IAsyncLifetime
{
    public const string Binary = "/usr/sbin/clickhouse-server";
    private readonly TempDirectory _dir = new("clickhouse");
    private readonly int? _httpPort;
    private readonly int? _tcpPort;
    private readonly string _extraConfig;
    private Process? _process;

    public ClickHouseServer()
        : this(null, null, "")
    {
    }

    /// <summary>Fixed ports and extra server configuration, for the nodes of a cluster.</summary>
    internal ClickHouseServer(int? httpPort, int? tcpPort, string extraConfig)
    {
        _httpPort = httpPort;
        _tcpPort = tcpPort;
        _extraConfig = extraConfig;
    }

    public static bool IsInstalled => File.Exists(Binary);

    public Uri HttpEndpoint { get; private set; } = null!;

    public int TcpPort { get; private set; }

    /// <summary>A connection string for a database of its own, so test classes never share tables.</summary>
    public string ConnectionString(string database) => $"{HttpEndpoint}?database={database}";

    public async Task InitializeAsync()
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException($"{Binary} is missing: install Debian's clickhouse-server (scripts/test.sh does, as root).");
        }
        Directory.CreateDirectory(_dir.Path);
        File.Copy("/etc/clickhouse-server/users.xml", Path.Combine(_dir.Path, "users.xml"), overwrite: true);
        for (var attempt = 1; ; attempt++)
        {
            var http = _httpPort ?? Ports.Free();
            TcpPort = _tcpPort ?? Ports.Free();
            var config = ConfigXml(_dir.Path, http, TcpPort, Ports.Free(), _extraConfig);
            await File.WriteAllTextAsync(Path.Combine(_dir.Path, "config.xml"), config);
            HttpEndpoint = new Uri($"http://127.0.0.1:{http}/");
            StartProcess();
            try
            {
                await WaitUntilAnsweringAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && _httpPort is null)
            {
                // A free port found here can be taken by another test's server before this one binds it: try others.
            }
        }
    }

    public Task DisposeAsync()
    {
        Kill();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Kills the server (SIGKILL) and starts it again on the same ports and data.</summary>
    public async Task RestartAsync()
    {
        Kill();
        StartProcess();
        await WaitUntilAnsweringAsync();
    }

    /// <summary>SIGKILL, as a crash or an out-of-memory kill would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        _process = null;
    }

    private void StartProcess()
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add($"--config-file={Path.Combine(_dir.Path, "config.xml")}");
        _process = Process.Start(start)!;
        // Drain both pipes so the server never blocks on a full one; keep the last lines to explain a failed start.
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private readonly Queue<string> _lastLines = new();

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 5)
            {
                _lastLines.Dequeue();
            }
        }
    }

    private string[] LastLines()
    {
        lock (_lastLines)
        {
            return [.. _lastLines];
        }
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"clickhouse-server exited with {_process?.ExitCode}: {string.Join(" | ", LastLines())}");
            }
            try
            {
                if ((await http.GetStringAsync(new Uri(HttpEndpoint, "ping"))).StartsWith("Ok", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Still starting.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("clickhouse-server did not answer /ping within 60 s");
    }

    private static string ConfigXml(string dir, int httpPort, int tcpPort, int interserverPort, string extraConfig) => $"""
        <?xml version="1.0"?>
        <yandex>
            <logger><level>warning</level><console>1</console></logger>
            <http_port>{httpPort}</http_port>
            <tcp_port>{tcpPort}</tcp_port>
            <interserver_http_port>{interserverPort}</interserver_http_port>
            <listen_host>127.0.0.1</listen_host>
            <path>{dir}/data/</path>
            <tmp_path>{dir}/tmp/</tmp_path>
            <user_files_path>{dir}/user_files/</user_files_path>
            <format_schema_path>{dir}/format_schemas/</format_schema_path>
            <users_config>users.xml</users_config>
            <default_profile>default</default_profile>
            <default_database>default</default_database>
            <mark_cache_size>268435456</mark_cache_size>
            <uncompressed_cache_size>268435456</uncompressed_cache_size>
            <max_concurrent_queries>100</max_concurrent_queries>
            {extraConfig}
        </yandex>
        """;

}

/// <summary>Whether this run is CI's, where tests that need a server must run (and fail) rather than skip.</summary>
public static class ServerTests
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Two ClickHouse servers configured as one two-shard cluster named <see cref="Name"/> (remote_servers).</summary>
public sealed class ClickHouseCluster : IAsyncLifetime
{
    public const string Name = "utmost_test";

    public ClickHouseCluster()
    {
        var ports = Enumerable.Range(0, 4).Select(_ => Ports.Free()).ToArray();
        var shards = string.Concat(new[] { ports[1], ports[3] }.Select(tcp =>
            $"<shard><replica><host>127.0.0.1</host><port>{tcp}</port></replica></shard>"));
        var remoteServers = $"<remote_servers><{Name}>{shards}</{Name}></remote_servers>";
        Nodes = [new ClickHouseServer(ports[0], ports[1], remoteServers), new ClickHouseServer(ports[2], ports[3], remoteServers)];
    }

    public IReadOnlyList<ClickHouseServer> Nodes { get; }

    public async Task InitializeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.InitializeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>The server configuration that points Utmost at this cluster (queries through the first node).</summary>
    public IEnumerable<string> UtmostArgs(string database) =>
    [
        "--Utmost:Events:Provider=clickhouse",
        $"--ConnectionStrings:ClickHouse={Nodes[0].ConnectionString(database)}",
        $"--Utmost:Events:Cluster={Name}",
        .. Nodes.Select((node, i) => $"--Utmost:Events:ClusterNodes:{i}={node.HttpEndpoint}"),
    ];
}
