using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Utmost.Core.Events;
using Utmost.Storage.ClickHouse;

namespace Utmost.Bench;

/// <summary>A throw-away ClickHouse server (Debian's clickhouse-server) for the backend comparison.</summary>
internal sealed class ClickHouseProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ClickHouseProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<ClickHouseProcess> StartAsync(string dir, CancellationToken cancellationToken)
    {
        const string binary = "/usr/sbin/clickhouse-server";
        if (!File.Exists(binary))
        {
            throw new FileNotFoundException("Install Debian's clickhouse-server to compare backends.", binary);
        }
        Directory.CreateDirectory(dir);
        int httpPort = FreePort(), tcpPort = FreePort(), interserver = FreePort();
        File.Copy("/etc/clickhouse-server/users.xml", Path.Combine(dir, "users.xml"), overwrite: true);
        await File.WriteAllTextAsync(Path.Combine(dir, "config.xml"), $"""
            <?xml version="1.0"?>
            <yandex>
                <logger><level>warning</level><console>1</console></logger>
                <http_port>{httpPort}</http_port><tcp_port>{tcpPort}</tcp_port><interserver_http_port>{interserver}</interserver_http_port>
                <listen_host>127.0.0.1</listen_host>
                <path>{dir}/data/</path><tmp_path>{dir}/tmp/</tmp_path><user_files_path>{dir}/user_files/</user_files_path>
                <users_config>users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
                <mark_cache_size>1073741824</mark_cache_size>
            </yandex>
            """, cancellationToken);
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add($"--config-file={Path.Combine(dir, "config.xml")}");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ClickHouseProcess(process, new Uri($"http://127.0.0.1:{httpPort}/"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetStringAsync(new Uri(server.Endpoint, "ping"), cancellationToken)).StartsWith("Ok", StringComparison.Ordinal))
                {
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
        await server.DisposeAsync();
        throw new TimeoutException("clickhouse-server did not start");
    }

    /// <summary>Inserts synthetic events straight into the events table (the server has created it).</summary>
    /// <summary>
    /// Writes events straight into a database at schema version 1, before Utmost starts: Utmost's own upgrade to
    /// the current schema then rolls them up, as it would for a store that grew before rollups existed.
    /// </summary>
    public async Task PreloadAsync(string database, EventCorpus corpus, long count, CancellationToken cancellationToken)
    {
        var client = new ClickHouseClient(new HttpClient { Timeout = TimeSpan.FromMinutes(10) },
            ClickHouseConnection.Parse($"{Endpoint}?database={database}"));
        await new ClickHouseMigrator([client], cluster: null, TimeProvider.System).MigrateAsync(cancellationToken, targetVersion: 1);
        const int chunk = 200_000;
        for (long done = 0; done < count; done += chunk)
        {
            var body = new StringBuilder();
            foreach (var e in BackendComparison.Generate(corpus, done, (int)Math.Min(chunk, count - done)))
            {
                body.Append(AtVersionOne(e)).Append('\n');
            }
            await client.InsertAsync(ClickHouseMigrator.EventsTable, Encoding.UTF8.GetBytes(body.ToString()), cancellationToken);
        }
    }

    /// <summary>An event as a row of schema version 1 (the columns later migrations add are not there yet).</summary>
    private static string AtVersionOne(MarketingEvent e) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["tenant_key"] = e.TenantKey, ["id"] = e.Id, ["event_id"] = e.EventId, ["event_type"] = e.EventType,
        ["event_name"] = e.EventName, ["page_url"] = e.PageUrl, ["referrer_url"] = e.ReferrerUrl, ["utm_source"] = e.UtmSource,
        ["utm_medium"] = e.UtmMedium, ["utm_campaign"] = e.UtmCampaign, ["utm_term"] = e.UtmTerm, ["utm_content"] = e.UtmContent,
        ["ad_source"] = e.AdSource, ["lead_source"] = e.LeadSource, ["user_agent"] = e.UserAgent, ["ip_address"] = e.IpAddress,
        ["session_id"] = e.SessionId, ["user_id"] = e.UserId?.Value, ["user_id_is_number"] = e.UserId?.IsNumber == true ? 1 : 0,
        ["lead_id"] = e.LeadId?.Value, ["lead_id_is_number"] = e.LeadId?.IsNumber == true ? 1 : 0,
        ["properties"] = e.PropertiesJson, ["metadata"] = e.MetadataJson, ["created_at"] = e.CreatedAt,
        ["received_at"] = e.ReceivedAt, ["deleted_at"] = null, ["version"] = 0,
    });

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
