using System.Data.Common;
using static Utmost.Storage.AdoCommands;

namespace Utmost.Users;

/// <summary>A dashboard user: which tenant (and its storage key), the address, the password hash and the role.</summary>
public sealed record User(string Id, string TenantId, long TenantKey, string Email, string PasswordHash, string Role, DateTimeOffset CreatedAt);

/// <summary>Users in the operational database; one class for SQLite and PostgreSQL, as <see cref="Funnels.FunnelStore"/>.</summary>
public sealed class UserStore(Func<CancellationToken, Task<DbConnection>> open)
{
    public const int MaxPerTenant = 200;

    private const string Select = """
        SELECT u.id, u.tenant_id, t.key, u.email, u.password_hash, u.role, u.created_at FROM users u JOIN tenants t ON t.id = u.tenant_id
        """;

    /// <summary>Stores the user; false when the address is taken or the tenant has <see cref="MaxPerTenant"/> users.</summary>
    public async Task<bool> InsertAsync(User user, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        // One statement, as the funnel store does: it waits for SQLite's write lock where a read-then-write transaction would fail.
        await using var insert = Command(connection, $"""
            INSERT INTO users (id, tenant_id, email, password_hash, role, created_at)
            SELECT @id, @tenant_id, @email, @password_hash, @role, @created_at
            WHERE (SELECT COUNT(*) FROM users WHERE tenant_id = @tenant_id) < {MaxPerTenant}
              AND NOT EXISTS (SELECT 1 FROM users WHERE email = @email)
            """, ("id", user.Id), ("tenant_id", user.TenantId), ("email", user.Email), ("password_hash", user.PasswordHash), ("role", user.Role),
            ("created_at", user.CreatedAt.ToUnixTimeMilliseconds()));
        try
        {
            return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        }
        catch (DbException)
        {
            // Another request may have taken the address between the check and the insert (the unique index refuses it).
            if (await FindByEmailAsync(user.Email, cancellationToken) is not null)
            {
                return false;
            }
            throw;
        }
    }

    public async Task<User?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        (await ReadAsync($"{Select} WHERE u.email = @email", cancellationToken, ("email", email))).SingleOrDefault();

    public async Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAsync($"{Select} WHERE u.id = @id", cancellationToken, ("id", id))).SingleOrDefault();

    /// <summary>The tenant's users, oldest first.</summary>
    public async Task<IReadOnlyList<User>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        await ReadAsync($"{Select} WHERE u.tenant_id = @tenant_id ORDER BY u.created_at, u.id", cancellationToken, ("tenant_id", tenantId));

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection, "DELETE FROM users WHERE tenant_id = @tenant_id AND id = @id", ("tenant_id", tenantId), ("id", id));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private async Task<List<User>> ReadAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        var users = new List<User>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(new User(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }
        return users;
    }
}
