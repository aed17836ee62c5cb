using System.Data.Common;
using System.Text.Json;
using Utmost.Core.Funnels;
using static Utmost.Storage.AdoCommands;

namespace Utmost.Funnels;

/// <summary>
/// Funnel definitions in the operational database. One class for SQLite and PostgreSQL: the SQL is plain, the
/// values are text and whole numbers (see <see cref="Storage.AdoCommands"/>).
/// </summary>
public sealed class FunnelStore(Func<CancellationToken, Task<DbConnection>> open)
{
    public const int MaxPerTenant = 100;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record Definition(IReadOnlyList<FunnelStep> Steps, int WindowHours, FunnelOrder Order);

    /// <summary>Stores the funnel, or returns false when the tenant has <see cref="MaxPerTenant"/> already.</summary>
    /// <remarks>
    /// One statement that counts and inserts: a transaction that reads and then writes may not get SQLite's write lock
    /// while the spool or the builder holds it (SQLITE_BUSY without waiting), where a single INSERT waits its turn.
    /// </remarks>
    public async Task<bool> InsertAsync(Funnel funnel, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var insert = Command(connection, $"""
            INSERT INTO funnels (tenant_id, id, name, definition, created_at)
            SELECT @tenant_id, @id, @name, @definition, @created_at
            WHERE (SELECT COUNT(*) FROM funnels WHERE tenant_id = @tenant_id) < {MaxPerTenant}
            """, ("tenant_id", funnel.TenantId), ("id", funnel.Id), ("name", funnel.Name),
            ("definition", JsonSerializer.Serialize(new Definition(funnel.Steps, funnel.WindowHours, funnel.Order), Json)),
            ("created_at", funnel.CreatedAt.ToUnixTimeMilliseconds()));
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<Funnel?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await ReadAsync("SELECT tenant_id, id, name, definition, created_at FROM funnels WHERE tenant_id = @tenant_id AND id = @id",
            cancellationToken, ("tenant_id", tenantId), ("id", id))).SingleOrDefault();

    /// <summary>Oldest first.</summary>
    public async Task<IReadOnlyList<Funnel>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        await ReadAsync("SELECT tenant_id, id, name, definition, created_at FROM funnels WHERE tenant_id = @tenant_id ORDER BY created_at, id",
            cancellationToken, ("tenant_id", tenantId));

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection, "DELETE FROM funnels WHERE tenant_id = @tenant_id AND id = @id", ("tenant_id", tenantId), ("id", id));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private async Task<List<Funnel>> ReadAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        var funnels = new List<Funnel>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var definition = JsonSerializer.Deserialize<Definition>(reader.GetString(3), Json)!;
            funnels.Add(new Funnel(reader.GetString(1), reader.GetString(0), reader.GetString(2), definition.Steps, definition.WindowHours,
                definition.Order, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }
        return funnels;
    }
}
