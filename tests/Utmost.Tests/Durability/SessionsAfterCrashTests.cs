using System.Net.Http.Headers;
using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Durability;

/// <summary>
/// The session builder keeps open sessions in memory and writes them every few seconds: a SIGKILL before a write
/// loses only work that is done again from the events after the restart.
/// </summary>
public sealed class SessionsAfterCrashTests : IDisposable
{
    private const string AdminKey = "utm_sessions_crash_admin_key_0123456789";
    private static readonly DateTimeOffset T0 = new(2025, 4, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("sessions-crash");

    private static StringContent Events(params double[] minutes) => Http.Json(JsonSerializer.Serialize(minutes.Select(m => new
    {
        event_type = "page_view", visitor_id = "k", timestamp = T0.AddMinutes(m).ToString("O"), page_url = $"https://shop.example/{m}",
    })));

    private static HttpClient Admin(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    [Fact]
    public async Task Sessions_kept_open_in_memory_when_the_server_is_killed_come_out_whole_after_the_restart()
    {
        await using (var server = await ServerProcess.StartAsync(_temp.Path, AdminKey))
        {
            using var admin = Admin(server);
            using (var first = await admin.PostAsync("/marketing/events", Events(0, 1, 2)))
            {
                Assert.Equal(201, (int)first.StatusCode);
            }
            // Read: built and written, the watermark past these three.
            Assert.Equal(3, (await admin.GetJsonAsync("/api/sessions"))[0].GetProperty("events").GetInt32());
            using (var more = await admin.PostAsync("/marketing/events", Events(3, 4, 60)))
            {
                Assert.Equal(201, (int)more.StatusCode);
            }
            // Killed at once: the visit went on only in the builder's memory, if at all.
            server.Kill();
        }

        await using var restarted = await ServerProcess.StartAsync(_temp.Path, AdminKey);
        using var again = Admin(restarted);
        var sessions = (await again.GetJsonAsync("/api/sessions?visitor_id=k")).EnumerateArray().ToArray();

        Assert.Equal([(1, "https://shop.example/60"), (5, "https://shop.example/4")],
            sessions.Select(s => (s.GetProperty("events").GetInt32(), s.GetProperty("exit_page").GetString())));
        Assert.Equal(T0, sessions[1].GetProperty("started_at").GetDateTimeOffset());
    }

    public void Dispose() => _temp.Dispose();
}
