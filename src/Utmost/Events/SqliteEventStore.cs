using System.Text;
using Microsoft.Data.Sqlite;
using Utmost.Core.Events;
using Utmost.Storage.Sqlite;

namespace Utmost.Events;

public sealed class SqliteEventStore(SqliteDatabase database) : IEventStore
{
    internal const string Columns = """
        id, tenant_id, event_id, event_type, event_name, page_url, referrer_url, utm_source, utm_medium, utm_campaign,
        utm_term, utm_content, ad_source, lead_source, user_agent, ip_address, session_id, user_id, user_id_is_number,
        lead_id, lead_id_is_number, properties, metadata, created_at, received_at, deleted_at
        """;

    private const string InsertSql = $"""
        INSERT INTO marketing_events ({Columns})
        VALUES ($id, $tenant_id, $event_id, $event_type, $event_name, $page_url, $referrer_url, $utm_source, $utm_medium,
                $utm_campaign, $utm_term, $utm_content, $ad_source, $lead_source, $user_agent, $ip_address, $session_id,
                $user_id, $user_id_is_number, $lead_id, $lead_id_is_number, $properties, $metadata, $created_at,
                $received_at, NULL)
        ON CONFLICT DO NOTHING
        """;

    public async Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<MarketingEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = InsertSql;
        var p = new SqliteParameter[25];
        string[] names =
        [
            "$id", "$tenant_id", "$event_id", "$event_type", "$event_name", "$page_url", "$referrer_url", "$utm_source",
            "$utm_medium", "$utm_campaign", "$utm_term", "$utm_content", "$ad_source", "$lead_source", "$user_agent",
            "$ip_address", "$session_id", "$user_id", "$user_id_is_number", "$lead_id", "$lead_id_is_number",
            "$properties", "$metadata", "$created_at", "$received_at",
        ];
        for (var i = 0; i < p.Length; i++)
        {
            var isInteger = names[i] is "$user_id_is_number" or "$lead_id_is_number" or "$created_at" or "$received_at";
            p[i] = insert.Parameters.Add(names[i], isInteger ? SqliteType.Integer : SqliteType.Text);
        }
        insert.Prepare();
        await using var findExisting = connection.CreateCommand();
        findExisting.Transaction = transaction;
        findExisting.CommandText = "SELECT id FROM marketing_events WHERE tenant_id = $tenant_id AND event_id = $event_id";
        var existingTenant = findExisting.Parameters.Add("$tenant_id", SqliteType.Text);
        var existingEventId = findExisting.Parameters.Add("$event_id", SqliteType.Text);

        var results = new AppendResult[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            p[0].Value = e.Id;
            p[1].Value = e.TenantId;
            p[2].Value = Db(e.EventId);
            p[3].Value = e.EventType;
            p[4].Value = Db(e.EventName);
            p[5].Value = Db(e.PageUrl);
            p[6].Value = Db(e.ReferrerUrl);
            p[7].Value = Db(e.UtmSource);
            p[8].Value = Db(e.UtmMedium);
            p[9].Value = Db(e.UtmCampaign);
            p[10].Value = Db(e.UtmTerm);
            p[11].Value = Db(e.UtmContent);
            p[12].Value = Db(e.AdSource);
            p[13].Value = e.LeadSource;
            p[14].Value = Db(e.UserAgent);
            p[15].Value = Db(e.IpAddress);
            p[16].Value = Db(e.SessionId);
            p[17].Value = Db(e.UserId?.Value);
            p[18].Value = e.UserId?.IsNumber == true ? 1 : 0;
            p[19].Value = Db(e.LeadId?.Value);
            p[20].Value = e.LeadId?.IsNumber == true ? 1 : 0;
            p[21].Value = e.PropertiesJson;
            p[22].Value = e.MetadataJson;
            p[23].Value = e.CreatedAt;
            p[24].Value = e.ReceivedAt;
            var inserted = insert.ExecuteNonQuery() == 1;
            if (inserted || e.EventId is null)
            {
                results[i] = new AppendResult(e.Id, Duplicate: false);
                continue;
            }
            existingTenant.Value = e.TenantId;
            existingEventId.Value = e.EventId;
            results[i] = new AppendResult((string)findExisting.ExecuteScalar()!, Duplicate: true);
        }
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    public async Task<MarketingEvent?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM marketing_events WHERE tenant_id = $tenant_id AND id = $id AND deleted_at IS NULL";
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<MarketingEvent>> ListAsync(string tenantId, EventFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM marketing_events WHERE tenant_id = $tenant_id AND deleted_at IS NULL");
        command.Parameters.AddWithValue("$tenant_id", tenantId);
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
            events.Add(Read(reader));
        }
        return events;
    }

    public async Task<bool> SoftDeleteAsync(string tenantId, string id, long deletedAtMs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE marketing_events SET deleted_at = $at WHERE tenant_id = $tenant_id AND id = $id AND deleted_at IS NULL";
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", deletedAtMs);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
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

    private static object Db(string? value) => value is null ? DBNull.Value : value;

    private static MarketingEvent Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        TenantId = r.GetString(1),
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
    };

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
