using System.Globalization;
using Microsoft.Data.Sqlite;
using Utmost.Core.Campaigns;
using Utmost.Storage.Sqlite;

namespace Utmost.Campaigns;

public sealed class SqliteCampaignStore(SqliteDatabase database) : ICampaignStore
{
    private const string Columns = """
        id, tenant_id, campaign_name, campaign_type, status, start_date, end_date, budget, spent, currency,
        utm_campaign, utm_source, utm_medium, target_audience, metrics, metadata, created_at, updated_at, deleted_at
        """;

    public async Task InsertAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO marketing_campaigns ({Columns})
            VALUES ($id, $tenant_id, $campaign_name, $campaign_type, $status, $start_date, $end_date, $budget, $spent,
                    $currency, $utm_campaign, $utm_source, $utm_medium, $target_audience, $metrics, $metadata,
                    $created_at, $updated_at, NULL)
            """;
        Bind(command, campaign);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Campaign?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM marketing_campaigns WHERE tenant_id = $tenant_id AND id = $id AND deleted_at IS NULL";
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<Campaign>> ListAsync(string tenantId, string? status, int limit, int offset, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM marketing_campaigns
            WHERE tenant_id = $tenant_id AND deleted_at IS NULL AND ($status IS NULL OR status = $status)
            ORDER BY created_at DESC, id DESC
            LIMIT $limit OFFSET $offset
            """;
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$status", (object?)status ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$offset", offset);
        var campaigns = new List<Campaign>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            campaigns.Add(Read(reader));
        }
        return campaigns;
    }

    public async Task<bool> UpdateAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE marketing_campaigns SET
                campaign_name = $campaign_name, campaign_type = $campaign_type, status = $status,
                start_date = $start_date, end_date = $end_date, budget = $budget, spent = $spent, currency = $currency,
                utm_campaign = $utm_campaign, utm_source = $utm_source, utm_medium = $utm_medium,
                target_audience = $target_audience, metrics = $metrics, metadata = $metadata, updated_at = $updated_at
            WHERE tenant_id = $tenant_id AND id = $id AND deleted_at IS NULL
            """;
        Bind(command, campaign);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> SoftDeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE marketing_campaigns SET deleted_at = $at, updated_at = $at
            WHERE tenant_id = $tenant_id AND id = $id AND deleted_at IS NULL
            """;
        command.Parameters.AddWithValue("$tenant_id", tenantId);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static void Bind(SqliteCommand command, Campaign c)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", c.Id);
        p.AddWithValue("$tenant_id", c.TenantId);
        p.AddWithValue("$campaign_name", c.CampaignName);
        p.AddWithValue("$campaign_type", (object?)c.CampaignType ?? DBNull.Value);
        p.AddWithValue("$status", c.Status);
        p.AddWithValue("$start_date", (object?)c.StartDate?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$end_date", (object?)c.EndDate?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$budget", (object?)c.Budget?.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value);
        p.AddWithValue("$spent", c.Spent.ToString(CultureInfo.InvariantCulture));
        p.AddWithValue("$currency", c.Currency);
        p.AddWithValue("$utm_campaign", (object?)c.UtmCampaign ?? DBNull.Value);
        p.AddWithValue("$utm_source", (object?)c.UtmSource ?? DBNull.Value);
        p.AddWithValue("$utm_medium", (object?)c.UtmMedium ?? DBNull.Value);
        p.AddWithValue("$target_audience", c.TargetAudienceJson);
        p.AddWithValue("$metrics", c.MetricsJson);
        p.AddWithValue("$metadata", c.MetadataJson);
        p.AddWithValue("$created_at", c.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$updated_at", c.UpdatedAt.ToUnixTimeMilliseconds());
    }

    private static Campaign Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        TenantId = r.GetString(1),
        CampaignName = r.GetString(2),
        CampaignType = r.IsDBNull(3) ? null : r.GetString(3),
        Status = r.GetString(4),
        StartDate = r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
        EndDate = r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
        Budget = r.IsDBNull(7) ? null : decimal.Parse(r.GetString(7), CultureInfo.InvariantCulture),
        Spent = decimal.Parse(r.GetString(8), CultureInfo.InvariantCulture),
        Currency = r.GetString(9),
        UtmCampaign = r.IsDBNull(10) ? null : r.GetString(10),
        UtmSource = r.IsDBNull(11) ? null : r.GetString(11),
        UtmMedium = r.IsDBNull(12) ? null : r.GetString(12),
        TargetAudienceJson = r.GetString(13),
        MetricsJson = r.GetString(14),
        MetadataJson = r.GetString(15),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(16)),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(17)),
        DeletedAt = r.IsDBNull(18) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(18)),
    };
}
