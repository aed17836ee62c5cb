using System.Globalization;
using Microsoft.Data.Sqlite;
using Utmost.Core.Metrics;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Metrics;

/// <summary>The metrics over the embedded store: rollups kept in each insert's transaction, events for the rest.</summary>
public sealed class SqliteMarketingAnalytics(SqliteDatabase database) : RollupAnalytics
{
    protected override RollupSql NewQuery() => new SqliteRollupSql();

    protected override async Task<IReadOnlyList<object?[]>> RunAsync(RollupSql query, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in ((SqliteRollupSql)query).Parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    public override async Task<(long FirstMs, long LastMs)?> SpanAsync(Tenant tenant, TimeRange range, CancellationToken cancellationToken)
    {
        var plan = RollupPlan.For(range.FromMs, range.ToMs);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Walking the (tenant_key, created_at) index from either end stops at the first event not deleted.
        const string Events = "FROM marketing_events WHERE tenant_key = $tenant_key AND created_at >= $from AND created_at < $to AND deleted_at IS NULL AND is_bot = 0";
        command.CommandText = $"""
            SELECT (SELECT created_at {Events} ORDER BY created_at LIMIT 1),
                   (SELECT created_at {Events} ORDER BY created_at DESC LIMIT 1)
            """;
        command.Parameters.AddWithValue("$tenant_key", tenant.Key);
        command.Parameters.AddWithValue("$from", plan.From);
        command.Parameters.AddWithValue("$to", plan.To);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.IsDBNull(0) ? null : (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Values travel as parameters ($p0, $p1, …).</summary>
    private sealed class SqliteRollupSql : RollupSql
    {
        public List<(string Name, object Value)> Parameters { get; } = [];

        protected override string Final => "";

        protected override (string Table, string Condition) Deleted => ("marketing_events", "deleted_at IS NOT NULL");

        public override string Value(long value) => Add(value);

        public override string Value(string value) => Add(value);

        protected override string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        protected override string NotNull(string column) => column;

        protected override string DayNumber(string msExpression) => $"({msExpression}) / {OffsetSegments.MsPerDay}";

        private string Add(object value)
        {
            var name = "$p" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
            Parameters.Add((name, value));
            return name;
        }
    }
}
