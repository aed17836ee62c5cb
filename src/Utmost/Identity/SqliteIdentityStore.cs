using Microsoft.Data.Sqlite;
using Utmost.Storage.Sqlite;

namespace Utmost.Identity;

public sealed class SqliteIdentityStore(SqliteDatabase database) : IIdentityStore
{
    public async Task LinkAsync(VisitorLink link, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO identities (tenant_id, visitor_id, user_id, email, contact_id, linked_at)
            VALUES ($tenant_id, $visitor_id, $user_id, $email, $contact_id, $linked_at)
            ON CONFLICT (tenant_id, visitor_id) DO UPDATE SET
                user_id = excluded.user_id, email = excluded.email, contact_id = excluded.contact_id, linked_at = excluded.linked_at
            """;
        command.Parameters.AddWithValue("$tenant_id", link.TenantId);
        command.Parameters.AddWithValue("$visitor_id", link.VisitorId);
        command.Parameters.AddWithValue("$user_id", (object?)link.UserId ?? DBNull.Value);
        command.Parameters.AddWithValue("$email", (object?)link.Email ?? DBNull.Value);
        command.Parameters.AddWithValue("$contact_id", (object?)link.ContactId ?? DBNull.Value);
        command.Parameters.AddWithValue("$linked_at", link.LinkedAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<VisitorLink>> VisitorsOfAsync(string tenantId, PersonKey key, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT tenant_id, visitor_id, user_id, email, contact_id, linked_at FROM identities
            WHERE tenant_id = $tenant_id AND {key.Column()} = $value
            ORDER BY linked_at, visitor_id
            """;
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$value", value);
        return await ReadLinksAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<VisitorLink>> AllAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT tenant_id, visitor_id, user_id, email, contact_id, linked_at FROM identities
            WHERE tenant_id = $tenant_id ORDER BY linked_at, visitor_id
            """;
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        return await ReadLinksAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<VisitorLink>> ReadLinksAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var links = new List<VisitorLink>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            links.Add(new VisitorLink(reader.GetString(0), reader.GetString(1), Text(reader, 2), Text(reader, 3), Text(reader, 4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }
        return links;
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
