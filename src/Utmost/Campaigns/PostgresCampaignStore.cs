using Npgsql;
using NpgsqlTypes;
using Utmost.Core.Campaigns;

namespace Utmost.Campaigns;

public sealed class PostgresCampaignStore(NpgsqlDataSource dataSource) : ICampaignStore
{
    private const string Columns = """
        id, tenant_id, campaign_name, campaign_type, status, start_date, end_date, budget, spent, currency,
        utm_campaign, utm_source, utm_medium, target_audience::text, metrics::text, metadata::text, created_at, updated_at, deleted_at
        """;

    public async Task InsertAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO marketing_campaigns (
                id, tenant_id, campaign_name, campaign_type, status, start_date, end_date, budget, spent, currency,
                utm_campaign, utm_source, utm_medium, target_audience, metrics, metadata, created_at, updated_at)
            VALUES (@id, @tenant_id, @campaign_name, @campaign_type, @status, @start_date, @end_date, @budget, @spent, @currency,
                    @utm_campaign, @utm_source, @utm_medium, @target_audience, @metrics, @metadata, @created_at, @updated_at)
            """);
        Bind(command, campaign);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Campaign?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM marketing_campaigns WHERE tenant_id = @tenant_id AND id = @id AND deleted_at IS NULL");
        command.Parameters.AddWithValue("tenant_id", tenantId);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<Campaign>> ListAsync(string tenantId, string? status, int limit, int offset, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM marketing_campaigns
            WHERE tenant_id = @tenant_id AND deleted_at IS NULL AND (@status::text IS NULL OR status = @status::text)
            ORDER BY created_at DESC, id DESC
            LIMIT @limit OFFSET @offset
            """);
        command.Parameters.AddWithValue("tenant_id", tenantId);
        command.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("offset", offset);
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
        await using var command = dataSource.CreateCommand("""
            UPDATE marketing_campaigns SET
                campaign_name = @campaign_name, campaign_type = @campaign_type, status = @status,
                start_date = @start_date, end_date = @end_date, budget = @budget, spent = @spent, currency = @currency,
                utm_campaign = @utm_campaign, utm_source = @utm_source, utm_medium = @utm_medium,
                target_audience = @target_audience, metrics = @metrics, metadata = @metadata, updated_at = @updated_at
            WHERE tenant_id = @tenant_id AND id = @id AND deleted_at IS NULL
            """);
        Bind(command, campaign);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> SoftDeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE marketing_campaigns SET deleted_at = @at, updated_at = @at
            WHERE tenant_id = @tenant_id AND id = @id AND deleted_at IS NULL
            """);
        command.Parameters.AddWithValue("tenant_id", tenantId);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("at", at);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static void Bind(NpgsqlCommand command, Campaign c)
    {
        var p = command.Parameters;
        p.AddWithValue("id", c.Id);
        p.AddWithValue("tenant_id", c.TenantId);
        p.AddWithValue("campaign_name", c.CampaignName);
        p.Add(new NpgsqlParameter("campaign_type", NpgsqlDbType.Text) { Value = (object?)c.CampaignType ?? DBNull.Value });
        p.AddWithValue("status", c.Status);
        p.Add(new NpgsqlParameter("start_date", NpgsqlDbType.TimestampTz) { Value = (object?)c.StartDate ?? DBNull.Value });
        p.Add(new NpgsqlParameter("end_date", NpgsqlDbType.TimestampTz) { Value = (object?)c.EndDate ?? DBNull.Value });
        p.Add(new NpgsqlParameter("budget", NpgsqlDbType.Numeric) { Value = (object?)c.Budget ?? DBNull.Value });
        p.AddWithValue("spent", c.Spent);
        p.AddWithValue("currency", c.Currency);
        p.Add(new NpgsqlParameter("utm_campaign", NpgsqlDbType.Text) { Value = (object?)c.UtmCampaign ?? DBNull.Value });
        p.Add(new NpgsqlParameter("utm_source", NpgsqlDbType.Text) { Value = (object?)c.UtmSource ?? DBNull.Value });
        p.Add(new NpgsqlParameter("utm_medium", NpgsqlDbType.Text) { Value = (object?)c.UtmMedium ?? DBNull.Value });
        p.AddWithValue("target_audience", NpgsqlDbType.Json, c.TargetAudienceJson);
        p.AddWithValue("metrics", NpgsqlDbType.Json, c.MetricsJson);
        p.AddWithValue("metadata", NpgsqlDbType.Json, c.MetadataJson);
        p.AddWithValue("created_at", c.CreatedAt);
        p.AddWithValue("updated_at", c.UpdatedAt);
    }

    private static Campaign Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        TenantId = r.GetString(1),
        CampaignName = r.GetString(2),
        CampaignType = r.IsDBNull(3) ? null : r.GetString(3),
        Status = r.GetString(4),
        StartDate = r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        EndDate = r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
        Budget = r.IsDBNull(7) ? null : r.GetDecimal(7),
        Spent = r.GetDecimal(8),
        Currency = r.GetString(9),
        UtmCampaign = r.IsDBNull(10) ? null : r.GetString(10),
        UtmSource = r.IsDBNull(11) ? null : r.GetString(11),
        UtmMedium = r.IsDBNull(12) ? null : r.GetString(12),
        TargetAudienceJson = r.GetString(13),
        MetricsJson = r.GetString(14),
        MetadataJson = r.GetString(15),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(16),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(17),
        DeletedAt = r.IsDBNull(18) ? null : r.GetFieldValue<DateTimeOffset>(18),
    };
}
