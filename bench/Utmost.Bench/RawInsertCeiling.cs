using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Utmost.Core.Events;
using Utmost.Events;
using Utmost.Storage.Sqlite;

namespace Utmost.Bench;

/// <summary>What the raw insert measured.</summary>
internal sealed record RawInsertResult(long Rows, TimeSpan Elapsed, long RowsInTable)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
}

/// <summary>
/// The machine's SQLite insert ceiling for our rows: the server's own schema (via its migrator) in a fresh file,
/// one prepared INSERT with the server's columns and conflict clause, every row in ONE transaction,
/// WAL and synchronous=FULL. No HTTP, JSON or queueing: what ingestion could approach at best.
/// </summary>
internal static class RawInsertCeiling
{
    private const string TenantId = "0197a000-0000-7000-8000-00000000beef";

    // Same statement as SqliteEventStore's insert; the column list is the store's own constant.
    private const string InsertSql = $"""
        INSERT INTO marketing_events ({SqliteEventStore.Columns})
        VALUES ($id, $tenant_id, $event_id, $event_type, $event_name, $page_url, $referrer_url, $utm_source, $utm_medium,
                $utm_campaign, $utm_term, $utm_content, $ad_source, $lead_source, $user_agent, $ip_address, $session_id,
                $user_id, $user_id_is_number, $lead_id, $lead_id_is_number, $properties, $metadata, $created_at,
                $received_at, NULL)
        ON CONFLICT DO NOTHING
        """;

    public static async Task<RawInsertResult> RunAsync(string dir, IReadOnlyList<SampleEvent> corpus, int rows, CancellationToken cancellationToken)
    {
        var database = new SqliteDatabase(dir);
        await new SqliteMigrator(database, TimeProvider.System).MigrateAsync(cancellationToken);

        // Everything a row needs is computed before the clock starts, as the server has it in memory by commit time.
        var now = DateTimeOffset.UtcNow;
        var nowMs = now.ToUnixTimeMilliseconds();
        var ids = new string[rows];
        for (var i = 0; i < rows; i++)
        {
            ids[i] = Guid.CreateVersion7(now.AddTicks(i)).ToString();
        }
        var leadSources = corpus.Select(e => LeadSourceClassifier.Classify(e.UtmSource, e.UtmMedium, e.ReferrerUrl, e.PageUrl)).ToArray();

        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
        }

        var stopwatch = Stopwatch.StartNew();
        await using (var transaction = connection.BeginTransaction(deferred: false))
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = InsertSql;
            SqliteParameter Text(string name) => insert.Parameters.Add(name, SqliteType.Text);
            SqliteParameter Integer(string name) => insert.Parameters.Add(name, SqliteType.Integer);
            var id = Text("$id");
            var tenant = Text("$tenant_id");
            var eventId = Text("$event_id");
            var eventType = Text("$event_type");
            var eventName = Text("$event_name");
            var pageUrl = Text("$page_url");
            var referrer = Text("$referrer_url");
            var utmSource = Text("$utm_source");
            var utmMedium = Text("$utm_medium");
            var utmCampaign = Text("$utm_campaign");
            var utmTerm = Text("$utm_term");
            var utmContent = Text("$utm_content");
            var adSource = Text("$ad_source");
            var leadSource = Text("$lead_source");
            var userAgent = Text("$user_agent");
            var ip = Text("$ip_address");
            var session = Text("$session_id");
            var userId = Text("$user_id");
            var userIdIsNumber = Integer("$user_id_is_number");
            var leadId = Text("$lead_id");
            var leadIdIsNumber = Integer("$lead_id_is_number");
            var properties = Text("$properties");
            var metadata = Text("$metadata");
            var createdAt = Integer("$created_at");
            var receivedAt = Integer("$received_at");
            insert.Prepare();

            tenant.Value = TenantId;
            eventId.Value = DBNull.Value;
            eventName.Value = DBNull.Value;
            adSource.Value = DBNull.Value;
            userAgent.Value = EventCorpus.UserAgent;
            ip.Value = "127.0.0.0";
            userId.Value = DBNull.Value;
            userIdIsNumber.Value = 0;
            leadId.Value = DBNull.Value;
            leadIdIsNumber.Value = 0;
            metadata.Value = "{}";
            for (var i = 0; i < rows; i++)
            {
                var e = corpus[i % corpus.Count];
                id.Value = ids[i];
                eventType.Value = e.EventType;
                pageUrl.Value = e.PageUrl;
                referrer.Value = Db(e.ReferrerUrl);
                utmSource.Value = Db(e.UtmSource);
                utmMedium.Value = Db(e.UtmMedium);
                utmCampaign.Value = Db(e.UtmCampaign);
                utmTerm.Value = Db(e.UtmTerm);
                utmContent.Value = Db(e.UtmContent);
                leadSource.Value = leadSources[i % corpus.Count];
                session.Value = e.SessionId;
                properties.Value = e.PropertiesJson;
                createdAt.Value = nowMs + i / 1000;
                receivedAt.Value = nowMs + i / 1000;
                insert.ExecuteNonQuery();
            }
            await transaction.CommitAsync(cancellationToken);
        }
        stopwatch.Stop();

        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM marketing_events";
        var inTable = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        return new RawInsertResult(rows, stopwatch.Elapsed, inTable);
    }

    private static object Db(string? value) => value is null ? DBNull.Value : value;
}
