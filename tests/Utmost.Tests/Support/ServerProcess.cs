using System.Diagnostics;
using System.Text.Json;

namespace Utmost.Tests.Support;

/// <summary>The real <c>utmost</c> binary in its own process, for tests that kill it or run its CLI verbs.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _errors = new();
    private readonly System.Text.StringBuilder _output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        // Drain both pipes so a chatty server never blocks on a full one.
        process.OutputDataReceived += (_, line) =>
        {
            lock (_output)
            {
                _output.AppendLine(line.Data);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(line.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    /// <summary>What the server printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string BinaryPath => Path.Combine(AppContext.BaseDirectory, "utmost.dll");

    public static async Task<ServerProcess> StartAsync(string dataDir, string adminKey, params string[] options)
    {
        var port = Ports.Free();
        var process = Start(["serve", .. options, "--urls", $"http://127.0.0.1:{port}", $"--Utmost:DataDir={dataDir}", $"--Utmost:AdminKey={adminKey}"]);
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"utmost exited with {process.ExitCode}: {server._errors}");
            }
            try
            {
                using var ready = await client.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }
            await Task.Delay(100);
        }
        server.Kill();
        throw new TimeoutException("utmost did not become ready within 60 s");
    }

    /// <summary>Runs a CLI verb to completion; returns its exit code and standard output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunCliAsync(params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    public static JsonElement ParseJson(string output) => JsonDocument.Parse(output.Trim()).RootElement.Clone();

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed that was not already written.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private static Process Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(BinaryPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return Process.Start(start)!;
    }
}
