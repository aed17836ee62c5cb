using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Utmost.Funnels;
using Utmost.Storage.ClickHouse;
using Utmost.Tests.Support;

namespace Utmost.Tests.Query;

/// <summary>
/// A funnel report over whole days reads the funnel's stored days; the same period asked for as date-times follows
/// every visitor through the events. The two must agree for strict and any-order funnels, after the funnel is built,
/// after late events move earlier entries on, after an event is deleted, and in another time zone. The servers here
/// build funnels in parts of 40 events, so a build reads the visitors in several parts.
/// </summary>
public abstract class FunnelDaysTests(TestServer server)
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[][] Periods =
        [["2025-06-01", "2025-06-10"], ["2025-06-03", "2025-06-05"], ["2025-06-07", "2025-06-07"], ["2025-06-02", "2025-06-08"]];

    private static readonly string[] Types = ["page_view", "page_view", "form_submit", "lead_created", "quote_requested"];

    /// <summary>
    /// Visits of 60 visitors over ten days: bursts of a few events minutes to two days apart, pricing and blog pages.
    /// <paramref name="entries"/> gets each visitor's last pricing page view.
    /// </summary>
    private static List<object> Events(Random random, string prefix, int visitors, Dictionary<string, DateTimeOffset>? entries = null)
    {
        var events = new List<object>();
        for (var v = 0; v < visitors; v++)
        {
            var at = Start.AddMinutes(random.Next(0, 9 * 24 * 60));
            for (var e = random.Next(1, 9); e > 0; e--)
            {
                var type = Types[random.Next(Types.Length)];
                var page = type == "page_view" ? (random.Next(3) == 0 ? "https://shop.example/blog" : "https://shop.example/pricing") : null;
                events.Add(new { event_type = type, visitor_id = $"{prefix}{v}", timestamp = at.ToString("O"), page_url = page });
                if (page?.EndsWith("/pricing", StringComparison.Ordinal) == true && entries is not null)
                {
                    entries[$"{prefix}{v}"] = at;
                }
                at = at.AddMinutes(random.Next(3) == 0 ? random.Next(600, 3000) : random.Next(0, 90));
            }
        }
        return events;
    }

    private static string Funnel(string order) => $$"""
        {"name": "Days {{order}}", "window_hours": 48, "order": "{{order}}",
         "steps": [{"event_type": "page_view", "page": "/pricing"}, "form_submit", "lead_created", "quote_requested"]}
        """;

    private static async Task<string[]> StepsAsync(HttpClient admin, string id, string first, string last) =>
        (await admin.GetJsonAsync($"/api/funnels/{id}/report?date_range={Uri.EscapeDataString($"{first},{last}")}")).GetProperty("steps")
        .EnumerateArray().Select(s => $"{s.GetProperty("entered")} {s.GetProperty("median_seconds_to_convert").GetRawText()}").ToArray();

    private static async Task AssertDaysMatchEventsAsync(HttpClient admin, IEnumerable<string> funnelIds, string offset)
    {
        foreach (var id in funnelIds)
        {
            foreach (var period in Periods)
            {
                var fromDays = await StepsAsync(admin, id, period[0], period[1]);
                var fromEvents = await StepsAsync(admin, id, $"{period[0]}T00:00:00.000{offset}", $"{period[1]}T23:59:59.999{offset}");
                Assert.True(fromEvents.SequenceEqual(fromDays), $"{id} {period[0]}..{period[1]}:\nevents {string.Join("; ", fromEvents)}\ndays   {string.Join("; ", fromDays)}");
            }
        }
    }

    [BackendFact]
    public async Task A_report_from_funnel_days_equals_following_every_visitor_through_the_events()
    {
        var tenant = await server.CreateTenantAsync("funnel-days");
        using var admin = server.WithKey(tenant.AdminKey);
        using (var zone = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"time_zone":"Europe/Berlin"}""")))
        {
            Assert.Equal(200, (int)zone.StatusCode);
        }
        // ClickHouse merges nothing here until the retention step, so readers meet every -1 copy beside its row.
        var clickHouse = server.Services.GetService<ClickHouseClient>();
        await MergesAsync(clickHouse, "STOP");
        var random = new Random(11);
        var entries = new Dictionary<string, DateTimeOffset>();
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(Events(random, "v", 60, entries)));
        // A visitor whose only entry is deleted below.
        var solo = (await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(new object[]
        {
            new { event_type = "page_view", visitor_id = "solo", timestamp = "2025-06-04T10:00:00Z", page_url = "https://shop.example/pricing" },
            new { event_type = "form_submit", visitor_id = "solo", timestamp = "2025-06-04T10:10:00Z" },
        }))).GetProperty("ids")[0].GetString();
        var ids = new List<string>();
        foreach (var order in new[] { "strict", "any" })
        {
            ids.Add((await admin.PostJsonAsync("/api/funnels", Funnel(order))).GetProperty("id").GetString()!);
        }
        await AssertDaysMatchEventsAsync(admin, ids, "+02:00");
        // The reports came from stored days, and some visitors got past the first step.
        var store = server.Services.GetRequiredService<IFunnelDayStore>();
        Assert.InRange(await store.EnteredAsync(tenant.Tenant.Key, ids[0], 20_000, 20_300, CancellationToken.None), 10, 60);
        Assert.True((await store.FurtherAsync(tenant.Tenant.Key, ids[0], 20_000, 20_300, 4, CancellationToken.None))[0].Reached > 0);

        // Late events: the steps after a visitor's last entry, one to three of them minutes later, which move that entry's
        // day on; steps a day or two after other entries; and new visitors.
        var late = entries.SelectMany((entry, i) => Types.Skip(2).Take(1 + i % 3).Select((type, step) => (object)new
        {
            event_type = type, visitor_id = entry.Key, timestamp = entry.Value.AddMinutes(5 + step).ToString("O"),
        })).Concat(Enumerable.Range(0, 30).Select(i => (object)new
        {
            event_type = Types[2 + i % 3], visitor_id = $"v{i}", timestamp = Start.AddHours(30 + i * 6.5).ToString("O"),
        })).Concat(Events(random, "w", 10)).ToList();
        await admin.PostJsonAsync("/marketing/events", JsonSerializer.Serialize(late));
        await AssertDaysMatchEventsAsync(admin, ids, "+02:00");
        if (clickHouse is not null)
        {
            var copies = await clickHouse.QueryAsync($"SELECT count() AS n FROM {ClickHouseMigrator.FunnelVisitorsTable} WHERE sign = -1", CancellationToken.None);
            Assert.True(copies[0].GetProperty("n").GetInt64() > 0, "late events moved no stored visitor on");
        }

        // A deleted entry takes a visitor's day back: the funnel is built again.
        using (var deleted = await admin.DeleteAsync($"/marketing/events/{solo}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        await AssertDaysMatchEventsAsync(admin, ids, "+02:00");

        // Other days in another zone.
        using (var patched = await admin.PatchAsync("/api/tenants/current", Http.Json("""{"time_zone":"America/New_York"}""")))
        {
            Assert.Equal(200, (int)patched.StatusCode);
        }
        await AssertDaysMatchEventsAsync(admin, ids, "-04:00");

        // Retention forgets the days before 5 June; the later days keep their answer (ClickHouse rewrites its rows in the background).
        var fifth = new DateTimeOffset(2025, 6, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 86_400;
        await MergesAsync(clickHouse, "START");
        var later = await StepsAsync(admin, ids[1], "2025-06-05", "2025-06-10");
        Assert.True(await store.EnteredAsync(tenant.Tenant.Key, ids[1], 20_000, fifth - 1, CancellationToken.None) > 0);
        await store.DropBeforeDayAsync(fifth, CancellationToken.None);
        await EventuallyAsync(async () => await store.EnteredAsync(tenant.Tenant.Key, ids[1], 20_000, fifth - 1, CancellationToken.None) == 0);
        Assert.Equal(later, await StepsAsync(admin, ids[1], "2025-06-05", "2025-06-10"));
        Assert.Equal(0, await store.EnteredAsync(tenant.Tenant.Key, ids[1], 20_000, fifth - 1, CancellationToken.None));

        // A deleted funnel's days go with it.
        using (var deleted = await admin.DeleteAsync($"/api/funnels/{ids[0]}"))
        {
            Assert.Equal(204, (int)deleted.StatusCode);
        }
        Assert.Equal(0, await store.EnteredAsync(tenant.Tenant.Key, ids[0], 20_000, 20_300, CancellationToken.None));
        Assert.True(await store.EnteredAsync(tenant.Tenant.Key, ids[1], 20_000, 20_300, CancellationToken.None) > 0);
    }

    private static async Task MergesAsync(ClickHouseClient? clickHouse, string command)
    {
        if (clickHouse is not null)
        {
            await clickHouse.ExecuteAsync($"SYSTEM {command} MERGES {ClickHouseMigrator.FunnelVisitorsTable}", CancellationToken.None);
        }
    }

    /// <summary>Waits up to 30 s for what a server does in the background.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
    }
}

/// <summary>The embedded engine, building funnels in parts of 40 events.</summary>
public sealed class SmallPartsTestServer : TestServer
{
    public SmallPartsTestServer() => ExtraArgs.Add("--Utmost:Query:FunnelBuildEventsPerRead=40");
}

/// <summary>ClickHouse, building funnels in parts of 40 events.</summary>
public sealed class SmallPartsClickHouseTestServer : BackendTestServer
{
    public SmallPartsClickHouseTestServer() : base(postgres: false, clickHouse: true) => ExtraArgs.Add("--Utmost:Query:FunnelBuildEventsPerRead=40");
}

public sealed class FunnelDaysOnSqlite(SmallPartsTestServer server) : FunnelDaysTests(server), IClassFixture<SmallPartsTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class FunnelDaysOnClickHouse(SmallPartsClickHouseTestServer server) : FunnelDaysTests(server), IClassFixture<SmallPartsClickHouseTestServer>;
