using System.Text;
using Utmost.Storage.ClickHouse;
using Utmost.Tests.Support;

namespace Utmost.Tests.Storage;

/// <summary>The client against a real ClickHouse server: literals round-trip exactly, inserts keep values intact.</summary>
[NeedsServers(NeedsServersAttribute.ClickHouse)]
public sealed class ClickHouseClientTests(ClickHouseServer server) : IClassFixture<ClickHouseServer>
{
    private static readonly string[] Tricky =
    [
        "plain", "it's", @"back\slash", "nul\0byte", "line\nbreak\ttab\rreturn", "bell\u0007del\u007F",
        "ünïcødé 🙂 中文", @"\'; DROP TABLE t; --", "{placeholder}", "", "'", @"\",
    ];

    private ClickHouseClient Client(string database) =>
        new(new HttpClient(), ClickHouseConnection.Parse(server.ConnectionString(database)));

    [BackendFact]
    public async Task Every_tricky_string_round_trips_through_a_literal_exactly()
    {
        var client = Client("default");
        foreach (var value in Tricky)
        {
            var rows = await client.QueryAsync($"SELECT {ClickHouseSql.Literal(value)} AS s, length(s) AS bytes", CancellationToken.None);

            Assert.Equal(value, rows.Single().GetProperty("s").GetString());
            Assert.Equal(Encoding.UTF8.GetByteCount(value), rows.Single().GetProperty("bytes").GetInt64());
        }
    }

    [BackendFact]
    public async Task Rows_inserted_as_json_come_back_unchanged_and_64_bit_numbers_stay_numbers()
    {
        var admin = Client("default");
        await admin.ExecuteAsync("CREATE DATABASE IF NOT EXISTS client_test", CancellationToken.None);
        var client = Client("client_test");
        await client.ExecuteAsync("CREATE TABLE t (k UInt64, s Nullable(String)) ENGINE = MergeTree ORDER BY k", CancellationToken.None);
        var body = new StringBuilder();
        for (var i = 0; i < Tricky.Length; i++)
        {
            body.Append(System.Text.Json.JsonSerializer.Serialize(new { k = 9_007_199_254_740_993UL + (ulong)i, s = Tricky[i] })).Append('\n');
        }
        body.Append("""{"k":1,"s":null}""").Append('\n');

        await client.InsertAsync("t", Encoding.UTF8.GetBytes(body.ToString()), CancellationToken.None);
        var rows = await client.QueryAsync("SELECT k, s FROM t ORDER BY k", CancellationToken.None);

        Assert.Equal(Tricky.Length + 1, rows.Count);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rows[0].GetProperty("s").ValueKind);
        for (var i = 0; i < Tricky.Length; i++)
        {
            Assert.Equal(9_007_199_254_740_993UL + (ulong)i, rows[i + 1].GetProperty("k").GetUInt64());
            Assert.Equal(Tricky[i], rows[i + 1].GetProperty("s").GetString());
        }
    }

    [BackendFact]
    public async Task Every_tricky_string_and_null_comes_back_unchanged_as_tab_separated_text()
    {
        var client = Client("default");
        // The literal text \N is a string, not a null; only a NULL is null.
        string[] values = [.. Tricky, @"\N", "tab\there"];
        var selects = values.Select((v, i) => $"SELECT {i} AS i, toNullable({ClickHouseSql.Literal(v)}) AS s")
            .Append($"SELECT {values.Length} AS i, CAST(NULL AS Nullable(String)) AS s");

        var rows = new List<(string? I, string? S)>();
        await foreach (var row in client.QueryTabSeparatedAsync($"SELECT i, s FROM ({string.Join(" UNION ALL ", selects)}) ORDER BY i", CancellationToken.None))
        {
            rows.Add((row["i"], row["s"]));
        }

        Assert.Equal(values.Select((v, i) => ((string?)i.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)v))
            .Append((values.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), null)), rows);
    }

    [BackendFact]
    public async Task Rows_inserted_as_row_binary_come_back_unchanged()
    {
        var admin = Client("default");
        await admin.ExecuteAsync("CREATE DATABASE IF NOT EXISTS binary_test", CancellationToken.None);
        var client = Client("binary_test");
        await client.ExecuteAsync("""
            CREATE TABLE t (k UInt64, flag UInt8, s String, n Nullable(String), at Nullable(UInt64)) ENGINE = MergeTree ORDER BY k
            """, CancellationToken.None);
        var rows = new RowBinaryWriter();
        // A string of 300 bytes needs a two-byte length.
        string[] values = [.. Tricky, new string('x', 300)];
        for (var i = 0; i < values.Length; i++)
        {
            rows.UInt64(ulong.MaxValue - (ulong)i);
            rows.UInt8((byte)(i % 2));
            rows.String(values[i]);
            rows.NullableString(i % 3 == 0 ? null : values[i]);
            rows.NullableUInt64(i % 2 == 0 ? null : (ulong)i * 1_000_000_007UL);
        }

        await client.InsertRowBinaryAsync("t", "k, flag, s, n, at", rows.Written, CancellationToken.None);
        var stored = await client.QueryAsync("SELECT k, flag, s, n, at FROM t ORDER BY k DESC", CancellationToken.None);

        Assert.Equal(values.Length, stored.Count);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(ulong.MaxValue - (ulong)i, stored[i].GetProperty("k").GetUInt64());
            Assert.Equal(i % 2, stored[i].GetProperty("flag").GetInt32());
            Assert.Equal(values[i], stored[i].GetProperty("s").GetString());
            Assert.Equal(i % 3 == 0 ? null : values[i], stored[i].GetProperty("n").GetString());
            ulong? at = stored[i].GetProperty("at").ValueKind == System.Text.Json.JsonValueKind.Null ? null : stored[i].GetProperty("at").GetUInt64();
            Assert.Equal(i % 2 == 0 ? null : (ulong)i * 1_000_000_007UL, at);
        }
    }

    [BackendFact]
    public async Task A_failing_statement_and_an_unreachable_server_raise_clear_errors()
    {
        var client = Client("default");
        var refused = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryAsync("SELECT no_such_column FROM system.one", CancellationToken.None));
        Assert.Contains("no_such_column", refused.Message);

        var nowhere = new ClickHouseClient(new HttpClient(), ClickHouseConnection.Parse("http://127.0.0.1:1/?database=x"));
        var unreachable = await Assert.ThrowsAsync<ClickHouseException>(() => nowhere.ExecuteAsync("SELECT 1", CancellationToken.None));
        Assert.Contains("unreachable", unreachable.Message);
        Assert.False(await nowhere.PingAsync(CancellationToken.None));
        Assert.True(await client.PingAsync(CancellationToken.None));
    }
}
