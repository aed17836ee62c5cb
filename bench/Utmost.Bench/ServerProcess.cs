using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Utmost.Storage.Sqlite;

namespace Utmost.Bench;

/// <summary>
/// The real server as a child process (<c>dotnet utmost.dll serve</c>, copied beside the bench by the project
/// reference) on a free loopback port with a fresh data directory. Disposing it always kills it.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int OutputTailLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _outputTail = new();
    private readonly CancellationTokenSource _samplerStop = new();
    private readonly Task _sampler;
    private long _maxSampledRssKb;

    private ServerProcess(Process process, Uri baseAddress, string dataDir, string adminKey)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataDir = dataDir;
        AdminKey = adminKey;
        _sampler = SampleRssAsync(_samplerStop.Token);
    }

    public Uri BaseAddress { get; }

    public string DataDir { get; }

    public string AdminKey { get; }

    public int Pid => _process.Id;

    public string DatabasePath => Path.Combine(DataDir, SqliteDatabase.FileName);

    /// <summary>"Release" when the utmost.dll beside the bench was compiled with optimisations, else "Debug".</summary>
    public static string Build =>
        typeof(SqliteDatabase).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true ? "Debug" : "Release";

    /// <summary>The highest VmRSS seen by the 100 ms sampler, in MB.</summary>
    public double MaxSampledRssMb => Interlocked.Read(ref _maxSampledRssKb) / 1024.0;

    public static Task<ServerProcess> StartAsync(string dataDir, CancellationToken cancellationToken, params string[] extraArgs) =>
        StartAsync(dataDir, "bench-admin-key-" + Guid.NewGuid().ToString("N"), cancellationToken, extraArgs);

    /// <summary>Starts the server with a given admin key: the key a data directory's default tenant was created with, on a second start.</summary>
    public static async Task<ServerProcess> StartAsync(string dataDir, string adminKey, CancellationToken cancellationToken, params string[] extraArgs)
    {
        // UTMOST_BENCH_SERVER names another build of the server (an older commit's) for before/after comparisons.
        var dll = Environment.GetEnvironmentVariable("UTMOST_BENCH_SERVER") is { Length: > 0 } other ? other : Path.Combine(AppContext.BaseDirectory, "utmost.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("utmost.dll is not beside the bench; build the bench project (it references src/Utmost).", dll);
        }
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        foreach (var arg in new[] { dll, "serve", "--urls", $"http://127.0.0.1:{port}", $"--Utmost:DataDir={dataDir}", $"--Utmost:AdminKey={adminKey}" }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }
        // Production settings, whatever the shell that started the bench had.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_gcServer");

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"), dataDir, adminKey);
        process.OutputDataReceived += (_, e) => server.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => server.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromMinutes(15), cancellationToken); // upgrading a big store may take minutes
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>VmHWM: the kernel's record of the process's peak resident set, in MB.</summary>
    public double PeakRssMb() => ReadStatusKb("VmHWM") / 1024.0;

    /// <summary>User plus system CPU time the server has used so far.</summary>
    public TimeSpan CpuTime()
    {
        EnsureRunning();
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Figures from a server that crashed mid-run mean nothing: stop the run and say so.</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"the server exited with code {_process.ExitCode} during the run");
        }
    }

    /// <summary>The last lines the server wrote to stdout and stderr.</summary>
    public IReadOnlyList<string> OutputTail()
    {
        lock (_outputTail)
        {
            return _outputTail.ToArray();
        }
    }

    /// <summary>SIGTERM so the server commits what is queued and checkpoints; SIGKILL if it takes too long.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        try
        {
            using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])
            {
                UseShellExecute = false,
            });
            if (term is not null)
            {
                await term.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(grace);
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            Kill();
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _samplerStop.CancelAsync();
        try
        {
            await _sampler;
        }
        catch (OperationCanceledException)
        {
        }
        _samplerStop.Dispose();
        _process.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"the server exited with code {_process.ExitCode} before it was ready:\n{string.Join('\n', OutputTail())}");
            }
            try
            {
                using var response = await client.GetAsync("health/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow first answer; ask again.
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"the server was not ready within {limit.TotalSeconds:0} s:\n{string.Join('\n', OutputTail())}");
    }

    private async Task SampleRssAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var rss = ReadStatusKb("VmRSS");
            if (rss > Interlocked.Read(ref _maxSampledRssKb))
            {
                Interlocked.Exchange(ref _maxSampledRssKb, rss);
            }
        }
    }

    private long ReadStatusKb(string field) => ReadStatusKb(_process.Id, field);

    /// <summary>A field of /proc/PID/status in kB (VmHWM, VmRSS); 0 once the process is gone.</summary>
    public static long ReadStatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    // "VmHWM:	  123456 kB"
                    var value = line.AsSpan(field.Length + 1).Trim();
                    value = value[..value.IndexOf(' ')];
                    return long.Parse(value, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process has exited.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputTail)
        {
            _outputTail.Enqueue(line);
            while (_outputTail.Count > OutputTailLines)
            {
                _outputTail.Dequeue();
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet host that runs this bench when it can be found, else <c>dotnet</c> on the PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }
        return "dotnet";
    }
}
