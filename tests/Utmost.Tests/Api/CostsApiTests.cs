using System.Text.Json;
using Utmost.Tests.Support;

namespace Utmost.Tests.Api;

public abstract class CostsApiTests(TestServer server)
{
    private static Dictionary<string, JsonElement> ByKey(JsonElement rows) => rows.EnumerateArray().ToDictionary(
        r => $"{r.GetProperty("date").GetString()}|{r.GetProperty("campaign").GetString()}|{r.GetProperty("source").GetString()}");

    [BackendFact]
    public async Task Costs_are_stored_listed_by_day_and_replaced_when_a_day_is_sent_again()
    {
        var tenant = await server.CreateTenantAsync("costs-import");
        using var admin = server.WithKey(tenant.AdminKey);

        var imported = await admin.PostJsonAsync("/api/costs", """
            [
              {"date": "2025-06-01", "campaign": "summer_2025", "cost": 120.5, "clicks": 40, "impressions": 1200},
              {"date": "2025-06-01", "source": "www.Google.de", "medium": "CPC", "cost": "80.25", "currency": "eur"},
              {"date": "2025-06-03", "campaign": "summer_2025", "cost": 99.999999}
            ]
            """, expectedStatus: 200);
        Assert.Equal(3, imported.GetProperty("imported").GetInt32());

        var firstDay = ByKey(await admin.GetJsonAsync("/api/costs?start_date=2025-06-01&end_date=2025-06-02"));
        Assert.Equal(2, firstDay.Count);
        var campaign = firstDay["2025-06-01|summer_2025|"];
        Assert.Equal(120.5m, campaign.GetProperty("cost").GetDecimal());
        Assert.Equal((40, 1200), (campaign.GetProperty("clicks").GetInt64(), campaign.GetProperty("impressions").GetInt64()));
        Assert.Equal("USD", campaign.GetProperty("currency").GetString());
        // The source as ingestion normalises it, so costs meet the events they paid for.
        var search = firstDay["2025-06-01||google"];
        Assert.Equal(("cpc", "EUR", 80.25m), (search.GetProperty("medium").GetString(), search.GetProperty("currency").GetString(), search.GetProperty("cost").GetDecimal()));

        // The same day and campaign again replaces the row instead of adding to it.
        await admin.PostJsonAsync("/api/costs", """[{"date": "2025-06-01", "campaign": "summer_2025", "cost": 130}]""", expectedStatus: 200);
        var all = await admin.GetJsonAsync("/api/costs");
        Assert.Equal(3, all.GetArrayLength());
        Assert.Equal(130m, ByKey(all)["2025-06-01|summer_2025|"].GetProperty("cost").GetDecimal());
        Assert.Equal(99.999999m, ByKey(all)["2025-06-03|summer_2025|"].GetProperty("cost").GetDecimal());
        Assert.Equal(JsonValueKind.Null, ByKey(all)["2025-06-01|summer_2025|"].GetProperty("clicks").ValueKind);

        var paged = await admin.GetJsonAsync("/api/costs?limit=1&offset=2");
        Assert.Equal("2025-06-03", paged[0].GetProperty("date").GetString());
    }

    [BackendFact]
    public async Task A_request_with_a_bad_row_names_each_bad_field_and_stores_nothing()
    {
        var tenant = await server.CreateTenantAsync("costs-bad");
        using var admin = server.WithKey(tenant.AdminKey);

        using var response = await admin.PostAsync("/api/costs", Http.Json("""
            [
              {"date": "2025-06-01", "campaign": "fine", "cost": 10},
              {"date": "2025-06-02", "campaign": "x", "cost": -5},
              {"date": "June 3rd", "source": "google", "cost": 1, "clicks": true},
              {"date": "2025-06-04", "cost": 1},
              "not a row"
            ]
            """));
        var problem = await response.AssertProblemAsync(400, "[1].cost");
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "[2].date", "[2].clicks", "[3].campaign", "[4]" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} is not named: {errors}");
        }
        Assert.Equal(0, (await admin.GetJsonAsync("/api/costs")).GetArrayLength());

        using var empty = await admin.PostAsync("/api/costs", Http.Json("[]"));
        await empty.AssertProblemAsync(400, "body");
        using var notArray = await admin.PostAsync("/api/costs", Http.Json("""{"date": "2025-06-01"}"""));
        Assert.Equal(400, (int)notArray.StatusCode);
        using var badRange = await admin.GetAsync("/api/costs?start_date=2025-06-05&end_date=2025-06-01");
        await badRange.AssertProblemAsync(400, "end_date");
        using var badDate = await admin.GetAsync("/api/costs?start_date=yesterday");
        await badDate.AssertProblemAsync(400, "start_date");
    }

    [BackendFact]
    public async Task A_tenant_sees_only_its_own_costs()
    {
        var first = await server.CreateTenantAsync("costs-first");
        var second = await server.CreateTenantAsync("costs-second");
        using var firstAdmin = server.WithKey(first.AdminKey);
        using var secondAdmin = server.WithKey(second.AdminKey);

        await firstAdmin.PostJsonAsync("/api/costs", """[{"date": "2025-06-01", "campaign": "mine", "cost": 10}]""", expectedStatus: 200);
        // The same key in another tenant is another row, not a replacement.
        await secondAdmin.PostJsonAsync("/api/costs", """[{"date": "2025-06-01", "campaign": "mine", "cost": 99}]""", expectedStatus: 200);

        Assert.Equal(10m, (await firstAdmin.GetJsonAsync("/api/costs"))[0].GetProperty("cost").GetDecimal());
        Assert.Equal(99m, (await secondAdmin.GetJsonAsync("/api/costs"))[0].GetProperty("cost").GetDecimal());
        using var anonymous = new HttpClient { BaseAddress = firstAdmin.BaseAddress };
        using var unauthenticated = await anonymous.GetAsync("/api/costs");
        Assert.Equal(401, (int)unauthenticated.StatusCode);
    }
}

[NeedsServers]
public sealed class CostsApiOnSqlite(TestServer server) : CostsApiTests(server), IClassFixture<TestServer>;

[NeedsServers(NeedsServersAttribute.Postgres)]
public sealed class CostsApiOnPostgres(PostgresTestServer server) : CostsApiTests(server), IClassFixture<PostgresTestServer>;

[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class CostsApiOnClickHouse(ClickHouseTestServer server) : CostsApiTests(server), IClassFixture<ClickHouseTestServer>;

[NeedsServers(NeedsServersAttribute.Postgres, NeedsServersAttribute.ClickHouse)]
public sealed class CostsApiOnPostgresClickHouse(PostgresClickHouseTestServer server) : CostsApiTests(server), IClassFixture<PostgresClickHouseTestServer>;
