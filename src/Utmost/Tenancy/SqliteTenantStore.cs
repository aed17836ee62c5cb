using System.Text.Json;
using Microsoft.Data.Sqlite;
using Utmost.Core.Common;
using Utmost.Storage.Sqlite;

namespace Utmost.Tenancy;

public sealed class SqliteTenantStore(SqliteDatabase database, TimeProvider clock) : ITenantStore
{
    private const string Columns = "key, id, slug, name, site_key, time_zone, conversion_goals, created_at, channel_rules, cookieless_visitors, allowed_origins";

    public async Task<Tenant> CreateAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO tenants (id, slug, name, site_key, time_zone, conversion_goals, created_at, updated_at)
            VALUES ($id, $slug, $name, $site_key, $time_zone, $goals, $at, $at)
            RETURNING key
            """;
        command.Parameters.AddWithValue("$id", tenant.Id);
        command.Parameters.AddWithValue("$slug", tenant.Slug);
        command.Parameters.AddWithValue("$name", tenant.Name);
        command.Parameters.AddWithValue("$site_key", tenant.SiteKey);
        command.Parameters.AddWithValue("$time_zone", tenant.TimeZone);
        command.Parameters.AddWithValue("$goals", GoalsJson.Serialize(tenant.Goals));
        command.Parameters.AddWithValue("$at", tenant.CreatedAt.ToUnixTimeMilliseconds());
        var key = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return tenant with { Key = key };
    }

    public async Task AddKeyAsync(string tenantId, string role, string keyHash, string keyPrefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO api_keys (id, tenant_id, role, key_hash, key_prefix, created_at)
            VALUES ($id, $tenant_id, $role, $hash, $prefix, $at)
            """;
        command.Parameters.AddWithValue("$id", Ids.New());
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$role", role);
        command.Parameters.AddWithValue("$hash", keyHash);
        command.Parameters.AddWithValue("$prefix", keyPrefix);
        command.Parameters.AddWithValue("$at", clock.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<Tenant?> FindBySlugAsync(string slug, CancellationToken cancellationToken) =>
        FindOneAsync($"SELECT {Columns} FROM tenants WHERE slug = $value", slug, cancellationToken);

    public Task<Tenant?> FindByStorageKeyAsync(long key, CancellationToken cancellationToken) =>
        FindOneAsync($"SELECT {Columns} FROM tenants WHERE key = CAST($value AS INTEGER)", key.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

    public Task<Tenant?> FindBySiteKeyAsync(string siteKey, CancellationToken cancellationToken) =>
        FindOneAsync($"SELECT {Columns} FROM tenants WHERE site_key = $value", siteKey, cancellationToken);

    public async Task<KeyOwner?> FindByKeyHashAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT t.key, t.id, t.slug, t.name, t.site_key, t.time_zone, t.conversion_goals, t.created_at, t.channel_rules, t.cookieless_visitors, t.allowed_origins, k.role
            FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
            WHERE k.key_hash = $hash AND k.revoked_at IS NULL
            """;
        command.Parameters.AddWithValue("$hash", keyHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new KeyOwner(ReadTenant(reader), reader.GetString(11)) : null;
    }

    public async Task<Tenant?> FindSoleTenantAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM tenants LIMIT 2";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var first = ReadTenant(reader);
        return await reader.ReadAsync(cancellationToken) ? null : first;
    }

    public async Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM tenants ORDER BY key";
        var tenants = new List<Tenant>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tenants.Add(ReadTenant(reader));
        }
        return tenants;
    }

    public async Task UpdateSettingsAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE tenants SET name = $name, time_zone = $time_zone, conversion_goals = $goals, channel_rules = $rules, cookieless_visitors = $cookieless,
                allowed_origins = $origins, updated_at = $at
            WHERE id = $id
            """;
        command.Parameters.AddWithValue("$id", tenant.Id);
        command.Parameters.AddWithValue("$name", tenant.Name);
        command.Parameters.AddWithValue("$time_zone", tenant.TimeZone);
        command.Parameters.AddWithValue("$goals", GoalsJson.Serialize(tenant.Goals));
        command.Parameters.AddWithValue("$rules", ChannelRulesJson.Serialize(tenant.ChannelRules));
        command.Parameters.AddWithValue("$cookieless", tenant.CookielessVisitors ? 1 : 0);
        command.Parameters.AddWithValue("$origins", JsonSerializer.Serialize(tenant.AllowedOrigins));
        command.Parameters.AddWithValue("$at", clock.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<Tenant?> FindOneAsync(string sql, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$value", value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadTenant(reader) : null;
    }

    private static Tenant ReadTenant(SqliteDataReader reader) => new Tenant(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        [],
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)))
    {
        ChannelRules = ChannelRulesJson.Deserialize(reader.GetString(8)),
        CookielessVisitors = reader.GetInt64(9) == 1,
        AllowedOrigins = JsonSerializer.Deserialize<string[]>(reader.GetString(10)) ?? [],
    }.WithGoals(GoalsJson.Deserialize(reader.GetString(6)));

    public async Task<byte[]> VisitorSaltAsync(long day, byte[] candidate, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO visitor_salts (day, salt) VALUES ($day, $salt) ON CONFLICT (day) DO NOTHING;
            DELETE FROM visitor_salts WHERE day < $day - 1;
            SELECT salt FROM visitor_salts WHERE day = $day;
            """;
        command.Parameters.AddWithValue("$day", day);
        command.Parameters.AddWithValue("$salt", candidate);
        return (byte[])(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
