using System.Text;
using System.Text.Json;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Storage.ClickHouse;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Events;

/// <summary>The spool outgrew its bound (ClickHouse away too long): new events are refused, never dropped.</summary>
public sealed class SpoolFullException(long backlog) : Exception($"{backlog} events are waiting for ClickHouse; the spool is full.");

/// <summary>
/// Events in ClickHouse. Writes are acknowledged once committed to the local SQLite spool and shipped, exactly
/// once, by <see cref="ClickHouseShipper"/>; reads flush the spool first, then ask ClickHouse. A soft delete is a
/// row in deleted_events, which every read leaves out.
/// </summary>
public sealed class ClickHouseEventStore(
    SqliteEventAppender spoolAppender, SqliteDatabase spool, ClickHouseShipper shipper, ClickHouseClient clickHouse,
    ClickHouseMigrator schema, SqliteEventStore spoolStore, Microsoft.Extensions.Options.IOptions<Hosting.UtmostOptions> options) : IEventStore
{
    public async Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<MarketingEvent> events, CancellationToken cancellationToken)
    {
        if (shipper.Backlog + events.Count > options.Value.Events.SpoolLimit)
        {
            throw new SpoolFullException(shipper.Backlog);
        }
        var results = await spoolAppender.AppendAsync(events, cancellationToken);
        shipper.NoteSpooled(results.Count(r => !r.Duplicate));
        return results;
    }

    public async Task<MarketingEvent?> GetAsync(Tenant tenant, string id, CancellationToken cancellationToken)
    {
        await shipper.FlushAsync(cancellationToken);
        var rows = await QueryEventsAsync(tenant, "id = {id}", new() { ["id"] = ClickHouseSql.Literal(id) }, "", cancellationToken);
        return rows.FirstOrDefault();
    }

    public async Task<IReadOnlyList<MarketingEvent>> ListAsync(Tenant tenant, EventFilter filter, CancellationToken cancellationToken)
    {
        await shipper.FlushAsync(cancellationToken);
        var conditions = new List<string> { "1 = 1" };
        var values = new Dictionary<string, string>();
        void Equal(string column, string? value)
        {
            if (value is not null)
            {
                conditions.Add($"{column} = {{{column}}}");
                values[column] = ClickHouseSql.Literal(value);
            }
        }
        Equal("event_type", filter.EventType);
        Equal("utm_source", filter.UtmSource);
        Equal("utm_campaign", filter.UtmCampaign);
        Equal("lead_source", filter.LeadSource);
        Equal("session_id", filter.SessionId);
        if (filter.FromMs is { } from)
        {
            conditions.Add("created_at >= {from}");
            values["from"] = ClickHouseSql.Literal(from);
        }
        if (filter.ToMs is { } to)
        {
            conditions.Add("created_at <= {to}");
            values["to"] = ClickHouseSql.Literal(to);
        }
        values["limit"] = ClickHouseSql.Literal(filter.Limit);
        values["offset"] = ClickHouseSql.Literal(filter.Offset);
        return await QueryEventsAsync(tenant, string.Join(" AND ", conditions), values,
            "ORDER BY created_at DESC, id DESC LIMIT {offset}, {limit}", cancellationToken);
    }

    public async Task<bool> SoftDeleteAsync(Tenant tenant, string id, long deletedAtMs, CancellationToken cancellationToken)
    {
        // Still in the spool: mark it there and queue the delete for the shipper, in one transaction.
        await using (var connection = await spool.OpenAsync(cancellationToken))
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var mark = connection.CreateCommand();
            mark.Transaction = transaction;
            mark.CommandText = """
                INSERT INTO spool_deleted_events (tenant_key, id, created_at, event_type, utm_source, utm_medium, utm_campaign, deleted_at, is_bot)
                SELECT tenant_key, id, created_at, event_type, utm_source, utm_medium, utm_campaign, $at, is_bot FROM marketing_events
                WHERE tenant_key = $tenant_key AND id = $id AND deleted_at IS NULL;
                UPDATE marketing_events SET deleted_at = $at WHERE tenant_key = $tenant_key AND id = $id AND deleted_at IS NULL;
                """;
            mark.Parameters.AddWithValue("$at", deletedAtMs);
            mark.Parameters.AddWithValue("$tenant_key", tenant.Key);
            mark.Parameters.AddWithValue("$id", id);
            if (await mark.ExecuteNonQueryAsync(cancellationToken) > 0)
            {
                await transaction.CommitAsync(cancellationToken);
                shipper.NoteSpooled(1);
                return true;
            }
        }
        // Shipped and pruned from the spool, or spooled by another instance: record the delete in ClickHouse itself.
        var existing = await GetAsync(tenant, id, cancellationToken);
        if (existing is null)
        {
            return false;
        }
        await clickHouse.InsertAsync(ClickHouseMigrator.DeletedEventsTable,
            Encoding.UTF8.GetBytes(ClickHouseRows.ToDeletedJsonLine(existing, deletedAtMs)), cancellationToken);
        return true;
    }

    /// <summary>The condition that leaves out a tenant's soft-deleted events (GLOBAL, so it also holds on a cluster).</summary>
    public static string NotDeleted(string tenantKeyLiteral) =>
        $"id GLOBAL NOT IN (SELECT id FROM {ClickHouseMigrator.DeletedEventsTable} WHERE tenant_key = {tenantKeyLiteral})";

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => await clickHouse.PingAsync(cancellationToken);

    /// <summary>Drops whole monthly partitions of the events, their rollups and deletes (on every shard), and the same range of the spool.</summary>
    public async Task DropBeforeMonthAsync(long monthStartMs, CancellationToken cancellationToken)
    {
        await shipper.FlushAsync(cancellationToken);
        var cutoff = DateTimeOffset.FromUnixTimeMilliseconds(monthStartMs).UtcDateTime;
        var cutoffPartition = cutoff.Year * 100 + cutoff.Month;
        foreach (var (node, table) in schema.PartitionedTables)
        {
            var partitions = await node.QueryAsync(ClickHouseSql.Format(
                "SELECT DISTINCT partition FROM system.parts WHERE database = {db} AND table = {table} AND active",
                new Dictionary<string, string> { ["db"] = ClickHouseSql.Literal(node.Connection.Database), ["table"] = ClickHouseSql.Literal(table) }),
                cancellationToken);
            foreach (var partition in partitions.Select(p => p.GetProperty("partition").GetString()!))
            {
                if (int.TryParse(partition, System.Globalization.CultureInfo.InvariantCulture, out var month) && month < cutoffPartition)
                {
                    await node.ExecuteAsync($"ALTER TABLE {table} DROP PARTITION {ClickHouseSql.Literal(month)}", cancellationToken);
                }
            }
        }
        await spoolStore.DropBeforeMonthAsync(monthStartMs, cancellationToken);
    }

    private async Task<IReadOnlyList<MarketingEvent>> QueryEventsAsync(
        Tenant tenant, string condition, Dictionary<string, string> values, string tail, CancellationToken cancellationToken)
    {
        var tenantKey = ClickHouseSql.Literal(tenant.Key);
        values["tenant_key"] = tenantKey;
        var sql = ClickHouseSql.Format($$"""
            SELECT {{SqliteEventStore.Columns}}
            FROM marketing_events
            WHERE tenant_key = {tenant_key} AND {{NotDeleted(tenantKey)}} AND {{condition}}
            {{tail}}
            """, values);
        var rows = await clickHouse.QueryAsync(sql, cancellationToken);
        return rows.Select(r => ClickHouseRows.ToEvent(r, tenant)).ToArray();
    }
}

/// <summary>Converts between stored events and ClickHouse's JSONEachRow rows.</summary>
internal static class ClickHouseRows
{
    public static MarketingEvent ToEvent(JsonElement r, Tenant tenant) => new()
    {
        Id = r.GetProperty("id").GetString()!,
        TenantId = tenant.Id,
        TenantKey = tenant.Key,
        EventId = Text(r, "event_id"),
        EventType = r.GetProperty("event_type").GetString()!,
        EventName = Text(r, "event_name"),
        PageUrl = Text(r, "page_url"),
        ReferrerUrl = Text(r, "referrer_url"),
        UtmSource = Text(r, "utm_source"),
        UtmMedium = Text(r, "utm_medium"),
        UtmCampaign = Text(r, "utm_campaign"),
        UtmTerm = Text(r, "utm_term"),
        UtmContent = Text(r, "utm_content"),
        AdSource = Text(r, "ad_source"),
        LeadSource = r.GetProperty("lead_source").GetString()!,
        UserAgent = Text(r, "user_agent"),
        IpAddress = Text(r, "ip_address"),
        SessionId = Text(r, "session_id"),
        UserId = Text(r, "user_id") is { } userId ? new ExternalId(userId, r.GetProperty("user_id_is_number").GetInt32() == 1) : null,
        LeadId = Text(r, "lead_id") is { } leadId ? new ExternalId(leadId, r.GetProperty("lead_id_is_number").GetInt32() == 1) : null,
        PropertiesJson = r.GetProperty("properties").GetString()!,
        MetadataJson = r.GetProperty("metadata").GetString()!,
        CreatedAt = r.GetProperty("created_at").GetInt64(),
        ReceivedAt = r.GetProperty("received_at").GetInt64(),
        DeletedAt = r.GetProperty("deleted_at").ValueKind == JsonValueKind.Null ? null : r.GetProperty("deleted_at").GetInt64(),
        VisitorId = Text(r, "visitor_id"),
        Channel = Text(r, "channel"),
        Source = Text(r, "source"),
        Medium = Text(r, "medium"),
        DeviceType = Text(r, "device_type"),
        Browser = Text(r, "browser"),
        Os = Text(r, "os"),
        IsBot = r.GetProperty("is_bot").GetInt32() == 1,
        OrderId = Text(r, "order_id"),
        Revenue = r.GetProperty("revenue_micros") is { ValueKind: JsonValueKind.Number } micros ? Money.FromMicros(micros.GetInt64()) : null,
        Currency = Text(r, "currency"),
    };

    /// <summary>A soft delete, with what the rollup readers need to subtract the event.</summary>
    public static string ToDeletedJsonLine(MarketingEvent e, long deletedAtMs) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["tenant_key"] = e.TenantKey, ["id"] = e.Id, ["created_at"] = e.CreatedAt, ["event_type"] = e.EventType,
        ["utm_source"] = e.UtmSource, ["utm_medium"] = e.UtmMedium, ["utm_campaign"] = e.UtmCampaign, ["deleted_at"] = deletedAtMs,
        ["is_bot"] = e.IsBot ? 1 : 0,
    }) + "\n";

    private static string? Text(JsonElement row, string name) =>
        row.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
