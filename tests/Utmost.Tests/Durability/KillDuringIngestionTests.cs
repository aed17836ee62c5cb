using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Durability;

/// <summary>
/// A 2xx answer means committed: the server is killed with SIGKILL the moment an acknowledgement arrives, with
/// other requests still in flight, and every acknowledged event must be there after a restart, exactly once.
/// </summary>
public sealed class KillDuringIngestionTests : IDisposable
{
    private const string AdminKey = "utm_durability_admin_key_0123456789";
    private readonly TempDirectory _temp = new("kill");

    private string DataDir => _temp.Path;

    [Fact]
    public async Task Every_acknowledged_event_survives_sigkill_exactly_once()
    {
        var acknowledged = new ConcurrentBag<string>();
        var sent = 0;
        await using (var server = await ServerProcess.StartAsync(DataDir, AdminKey))
        {
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = server.BaseAddress };
            using var killed = new CancellationTokenSource();
            const int killAfterAcks = 1500;

            async Task SendLoop(int worker)
            {
                for (var i = 0; !killed.IsCancellationRequested; i++)
                {
                    // Alternate single events and small batches, each event with its own client event_id.
                    var ids = Enumerable.Range(0, i % 3 == 0 ? 10 : 1).Select(n => $"w{worker}-r{i}-e{n}").ToArray();
                    var body = ids.Length == 1
                        ? JsonSerializer.Serialize(new { event_type = "page_view", event_id = ids[0] })
                        : JsonSerializer.Serialize(ids.Select(id => new { event_type = "page_view", event_id = id }));
                    Interlocked.Add(ref sent, ids.Length);
                    try
                    {
                        using var response = await client.PostAsync(ids.Length == 1 ? "/marketing/event" : "/marketing/events",
                            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            foreach (var id in ids)
                            {
                                acknowledged.Add(id);
                            }
                            if (acknowledged.Count >= killAfterAcks && !killed.IsCancellationRequested)
                            {
                                // Killed right after this acknowledgement, while other workers' requests are in flight.
                                server.Kill();
                                killed.Cancel();
                            }
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone: unacknowledged requests may or may not have been stored
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, 24).Select(w => Task.Run(() => SendLoop(w))));
            Assert.True(killed.IsCancellationRequested, "the server should have been killed mid-ingestion");
        }

        await using var restarted = await ServerProcess.StartAsync(DataDir, AdminKey);
        using var admin = new HttpClient { BaseAddress = restarted.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var stored = new List<string>();
        for (var offset = 0; ; offset += 500)
        {
            var page = await admin.GetJsonAsync($"/marketing/events?limit=500&offset={offset}");
            stored.AddRange(page.EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!));
            if (page.GetArrayLength() < 500)
            {
                break;
            }
        }

        var missing = acknowledged.Except(stored).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged events are missing, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.True(stored.Count <= sent, $"stored {stored.Count} events but only {sent} were sent");
    }

    public void Dispose() => _temp.Dispose();
}
