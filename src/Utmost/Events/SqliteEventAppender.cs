using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Utmost.Core.Common;
using Utmost.Core.Events;
using Utmost.Core.Metrics;
using Utmost.Storage.Sqlite;

namespace Utmost.Events;

/// <summary>
/// The hot write path of the embedded event store: one long-lived connection with a large page cache and one
/// prepared insert whose values are bound by position through SQLite's own API. Binding by name through
/// ADO.NET looks every parameter up on every row and halved throughput in measurements (bench/).
/// With <paramref name="keepRollups"/> (the embedded store), each transaction also adds its events to the rollups;
/// as ClickHouse's spool it does not, since the shipper rolls up what it ships.
/// Committed events go on to the session builder through <paramref name="sessionFeed"/>.
/// </summary>
public sealed class SqliteEventAppender(SqliteDatabase database, bool keepRollups, Sessions.SessionFeed? sessionFeed = null) : IDisposable
{
    private const string InsertSql = """
        INSERT INTO marketing_events (
            id, tenant_key, event_id, event_type, event_name, page_url, referrer_url, utm_source, utm_medium, utm_campaign,
            utm_term, utm_content, ad_source, lead_source, user_agent, ip_address, session_id, user_id, user_id_is_number,
            lead_id, lead_id_is_number, properties, metadata, created_at, received_at,
            visitor_id, channel, source, medium, device_type, browser, os, is_bot, order_id, revenue_micros, currency)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,
                ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36)
        ON CONFLICT DO NOTHING
        """;

    private const string FindExistingSql = "SELECT id FROM marketing_events WHERE tenant_key = ?1 AND event_id = ?2";

    // One writer at a time: SQLite has a single writer anyway, and the prepared statements are not shareable.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private sqlite3_stmt? _insert;
    private sqlite3_stmt? _findExisting;
    private readonly RollupCounter _rollup = new();

    public async Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<MarketingEvent> events, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await database.WriteGate.WaitAsync(cancellationToken);
            try
            {
                return Append(events);
            }
            finally
            {
                database.WriteGate.Release();
            }
        }
        catch
        {
            _rollup.Clear();
            // After any failure start over with a fresh connection: the old one may be in an unknown state.
            Reset();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private AppendResult[] Append(IReadOnlyList<MarketingEvent> events)
    {
        var connection = Open();
        var db = connection.Handle!;
        var results = new AppendResult[events.Count];
        var inserted = sessionFeed is null ? null : new List<MarketingEvent>(events.Count);
        long firstRowid = 0, lastRowid = 0;
        using var transaction = connection.BeginTransaction(deferred: false);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            Bind(_insert!, e);
            SqliteNative.Execute(db, _insert!);
            if (raw.sqlite3_changes(db) == 1 || e.EventId is null)
            {
                results[i] = new AppendResult(e.Id, Duplicate: false);
                lastRowid = raw.sqlite3_last_insert_rowid(db);
                firstRowid = firstRowid == 0 ? lastRowid : firstRowid;
                inserted?.Add(e);
                if (keepRollups && !e.IsBot)
                {
                    _rollup.Add(e.TenantKey, e.CreatedAt, e.EventType, e.UtmSource, e.UtmMedium, e.UtmCampaign);
                }
                continue;
            }
            // The event_id was seen before (by an earlier request or earlier in this batch): answer with that event.
            raw.sqlite3_bind_int64(_findExisting!, 1, e.TenantKey);
            BindText(_findExisting!, 2, e.EventId);
            var rc = raw.sqlite3_step(_findExisting!);
            var existing = rc == raw.SQLITE_ROW ? raw.sqlite3_column_text(_findExisting!, 0).utf8_to_string() : null;
            raw.sqlite3_reset(_findExisting!);
            results[i] = new AppendResult(existing ?? throw SqliteNative.Error(db, rc), Duplicate: true);
        }
        if (keepRollups)
        {
            // Events of one request mostly share their quarter hours, so this is far fewer rows than events.
            SqliteRollupWriter.AddToStore(connection, _rollup);
            _rollup.Clear();
        }
        transaction.Commit();
        if (inserted is { Count: > 0 })
        {
            sessionFeed!.Publish(firstRowid, lastRowid, inserted);
        }
        return results;
    }

    private void Bind(sqlite3_stmt statement, MarketingEvent e)
    {
        BindText(statement, 1, e.Id);
        raw.sqlite3_bind_int64(statement, 2, e.TenantKey);
        BindText(statement, 3, e.EventId);
        BindText(statement, 4, e.EventType);
        BindText(statement, 5, e.EventName);
        BindText(statement, 6, e.PageUrl);
        BindText(statement, 7, e.ReferrerUrl);
        BindText(statement, 8, e.UtmSource);
        BindText(statement, 9, e.UtmMedium);
        BindText(statement, 10, e.UtmCampaign);
        BindText(statement, 11, e.UtmTerm);
        BindText(statement, 12, e.UtmContent);
        BindText(statement, 13, e.AdSource);
        BindText(statement, 14, e.LeadSource);
        BindText(statement, 15, e.UserAgent);
        BindText(statement, 16, e.IpAddress);
        BindText(statement, 17, e.SessionId);
        BindText(statement, 18, e.UserId?.Value);
        raw.sqlite3_bind_int(statement, 19, e.UserId?.IsNumber == true ? 1 : 0);
        BindText(statement, 20, e.LeadId?.Value);
        raw.sqlite3_bind_int(statement, 21, e.LeadId?.IsNumber == true ? 1 : 0);
        BindText(statement, 22, e.PropertiesJson);
        BindText(statement, 23, e.MetadataJson);
        raw.sqlite3_bind_int64(statement, 24, e.CreatedAt);
        raw.sqlite3_bind_int64(statement, 25, e.ReceivedAt);
        BindText(statement, 26, e.VisitorId);
        BindText(statement, 27, e.Channel);
        BindText(statement, 28, e.Source);
        BindText(statement, 29, e.Medium);
        BindText(statement, 30, e.DeviceType);
        BindText(statement, 31, e.Browser);
        BindText(statement, 32, e.Os);
        raw.sqlite3_bind_int(statement, 33, e.IsBot ? 1 : 0);
        BindText(statement, 34, e.OrderId);
        if (e.Revenue is { } revenue)
        {
            raw.sqlite3_bind_int64(statement, 35, Money.ToMicros(revenue));
        }
        else
        {
            raw.sqlite3_bind_null(statement, 35);
        }
        BindText(statement, 36, e.Currency);
    }

    // One scratch buffer for text parameters: binding .NET strings directly allocated a UTF-8 copy per column per
    // event on the single writer thread.
    private readonly SqliteNative.TextBinder _text = new();

    private void BindText(sqlite3_stmt statement, int index, string? value) => _text.Bind(statement, index, value);

    private SqliteConnection Open()
    {
        if (_connection is not null)
        {
            return _connection;
        }
        var connection = database.Open();
        using (var pragmas = connection.CreateCommand())
        {
            // A 64 MB cache keeps the index pages a commit touches in memory. Checkpoints are SqliteCheckpointer's
            // job; this connection checkpoints only if the log passes ~400 MB, as a backstop.
            pragmas.CommandText = "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 100000;";
            pragmas.ExecuteNonQuery();
        }
        var db = connection.Handle!;
        _insert = SqliteNative.Prepare(db, InsertSql);
        _findExisting = SqliteNative.Prepare(db, FindExistingSql);
        _connection = connection;
        return connection;
    }

    private void Reset()
    {
        _insert?.Dispose();
        _findExisting?.Dispose();
        _connection?.Dispose();
        _insert = null;
        _findExisting = null;
        _connection = null;
    }

    public void Dispose()
    {
        Reset();
        _gate.Dispose();
    }
}
