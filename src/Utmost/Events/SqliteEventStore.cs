using System.Text;
using Microsoft.Data.Sqlite;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Events;

public sealed class SqliteEventStore(SqliteDatabase database, SqliteEventAppender appender) : IEventStore
{
    /// <summary>Every column, in the order the readers (and the ClickHouse shipper) expect.</summary>
    internal const string Columns = """
        id, tenant_key, event_id, event_type, event_name, page_url, referrer_url, utm_source, utm_medium, utm_campaign,
        utm_term, utm_content, ad_source, lead_source, user_agent, ip_address, session_id, user_id, user_id_is_number,
        lead_id, lead_id_is_number, properties, metadata, created_at, received_at, deleted_at,
        visitor_id, channel, source, medium, device_type, browser, os, is_bot, order_id, revenue_micros, currency
        """;

    public Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<MarketingEvent> events, CancellationToken cancellationToken) =>
        appender.AppendAsync(events, cancellationToken);

    public async Task<MarketingEvent?> GetAsync(Tenant tenant, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM marketing_events WHERE tenant_key = $tenant_key AND id = $id AND deleted_at IS NULL";
        command.Parameters.AddWithValue("$tenant_key", tenant.Key);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader, tenant) : null;
    }

    public async Task<IReadOnlyList<MarketingEvent>> ListAsync(Tenant tenant, EventFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM marketing_events WHERE tenant_key = $tenant_key AND deleted_at IS NULL");
        command.Parameters.AddWithValue("$tenant_key", tenant.Key);
        AddEquals(sql, command, "event_type", filter.EventType);
        AddEquals(sql, command, "utm_source", filter.UtmSource);
        AddEquals(sql, command, "utm_campaign", filter.UtmCampaign);
        AddEquals(sql, command, "lead_source", filter.LeadSource);
        AddEquals(sql, command, "session_id", filter.SessionId);
        if (filter.FromMs is { } from)
        {
            sql.Append(" AND created_at >= $from");
            command.Parameters.AddWithValue("$from", from);
        }
        if (filter.ToMs is { } to)
        {
            sql.Append(" AND created_at <= $to");
            command.Parameters.AddWithValue("$to", to);
        }
        sql.Append(" ORDER BY created_at DESC, id DESC LIMIT $limit OFFSET $offset");
        command.Parameters.AddWithValue("$limit", filter.Limit);
        command.Parameters.AddWithValue("$offset", filter.Offset);
        command.CommandText = sql.ToString();
        var events = new List<MarketingEvent>(Math.Min(filter.Limit, 500));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader, tenant));
        }
        return events;
    }

    public async Task<bool> SoftDeleteAsync(Tenant tenant, string id, long deletedAtMs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE marketing_events SET deleted_at = $at WHERE tenant_key = $tenant_key AND id = $id AND deleted_at IS NULL";
        command.Parameters.AddWithValue("$tenant_key", tenant.Key);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", deletedAtMs);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task DropBeforeMonthAsync(long monthStartMs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The rollups of those months go too, both the store's and the ClickHouse spool's.
        command.CommandText = """
            DELETE FROM marketing_events WHERE created_at < $before;
            DELETE FROM rollup_counts WHERE bucket < $before;
            DELETE FROM rollup_dimensions WHERE bucket < $before;
            DELETE FROM spool_rollup_counts WHERE bucket < $before;
            DELETE FROM spool_rollup_dimensions WHERE bucket < $before;
            DELETE FROM spool_deleted_events WHERE created_at < $before;
            """;
        command.Parameters.AddWithValue("$before", monthStartMs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    // Column names come from this file only; values always travel as parameters.
    private static void AddEquals(StringBuilder sql, SqliteCommand command, string column, string? value)
    {
        if (value is null)
        {
            return;
        }
        sql.Append(" AND ").Append(column).Append(" = $").Append(column);
        command.Parameters.AddWithValue("$" + column, value);
    }

    private static MarketingEvent Read(SqliteDataReader r, Tenant tenant) => new()
    {
        Id = r.GetString(0),
        TenantId = tenant.Id,
        TenantKey = r.GetInt64(1),
        EventId = Text(r, 2),
        EventType = r.GetString(3),
        EventName = Text(r, 4),
        PageUrl = Text(r, 5),
        ReferrerUrl = Text(r, 6),
        UtmSource = Text(r, 7),
        UtmMedium = Text(r, 8),
        UtmCampaign = Text(r, 9),
        UtmTerm = Text(r, 10),
        UtmContent = Text(r, 11),
        AdSource = Text(r, 12),
        LeadSource = r.GetString(13),
        UserAgent = Text(r, 14),
        IpAddress = Text(r, 15),
        SessionId = Text(r, 16),
        UserId = Text(r, 17) is { } userId ? new ExternalId(userId, r.GetInt64(18) == 1) : null,
        LeadId = Text(r, 19) is { } leadId ? new ExternalId(leadId, r.GetInt64(20) == 1) : null,
        PropertiesJson = r.GetString(21),
        MetadataJson = r.GetString(22),
        CreatedAt = r.GetInt64(23),
        ReceivedAt = r.GetInt64(24),
        DeletedAt = r.IsDBNull(25) ? null : r.GetInt64(25),
        VisitorId = Text(r, 26),
        Channel = Text(r, 27),
        Source = Text(r, 28),
        Medium = Text(r, 29),
        DeviceType = Text(r, 30),
        Browser = Text(r, 31),
        Os = Text(r, 32),
        IsBot = r.GetInt64(33) == 1,
        OrderId = Text(r, 34),
        Revenue = r.IsDBNull(35) ? null : Money.FromMicros(r.GetInt64(35)),
        Currency = Text(r, 36),
    };

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
