using System.Data.Common;
using System.Text.Json;
using Utmost.Core.Sessions;

namespace Utmost.Sessions;

/// <summary>The columns sessions and their events are read by, the same on every engine, and how rows become records.</summary>
public static class SessionRows
{
    /// <summary>What the builder reads of an event, the visitor first.</summary>
    public const string EventColumns = """
        visitor_id, id, created_at, event_type, page_url, referrer_url, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
        channel, lead_source, source, medium, device_type, browser, os, user_id, properties, order_id, revenue_micros, currency
        """;

    public const string SessionColumns = """
        tenant_key, visitor_id, session_id, started_at, ended_at, traffic_key, channel, lead_source, source, medium, campaign, content,
        term, click_id, referrer, referrer_domain, landing_page, exit_page, first_event_type, device_type, browser, os, user_id,
        page_views, events, conversions, conversion_type, conversion_value_micros, currency, order_id, revenue_micros, revenue_currency,
        orders, leads
        """;

    public static readonly string[] SessionColumnNames = SessionColumns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A row seen through its column names: text and whole numbers, null where the column is.</summary>
    public readonly struct Row
    {
        private readonly Func<string, string?> _text;
        private readonly Func<string, long?> _number;

        private Row(Func<string, string?> text, Func<string, long?> number) => (_text, _number) = (text, number);

        public string? Text(string column) => _text(column);
        public long? Number(string column) => _number(column);
        public string Required(string column) => _text(column) ?? "";
        public long Long(string column) => _number(column) ?? 0;

        /// <summary>The reader's current row, whichever that is when a column is read: make one per reader, not per row.</summary>
        public static Row Of(DbDataReader reader)
        {
            var ordinals = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => i, StringComparer.Ordinal);
            return new(
                column => ordinals[column] is var i && reader.IsDBNull(i) ? null : reader.GetString(i),
                column => ordinals[column] is var i && reader.IsDBNull(i) ? null : reader.GetInt64(i));
        }

        /// <summary>The current row of a statement stepped through SQLite's own API (make one per statement).</summary>
        public static Row Of(SQLitePCL.sqlite3_stmt statement)
        {
            var ordinals = Enumerable.Range(0, SQLitePCL.raw.sqlite3_column_count(statement))
                .ToDictionary(i => SQLitePCL.raw.sqlite3_column_name(statement, i).utf8_to_string(), i => i, StringComparer.Ordinal);
            bool IsNull(int i) => SQLitePCL.raw.sqlite3_column_type(statement, i) == SQLitePCL.raw.SQLITE_NULL;
            return new(
                column => ordinals[column] is var i && IsNull(i) ? null : SQLitePCL.raw.sqlite3_column_text(statement, i).utf8_to_string(),
                column => ordinals[column] is var i && IsNull(i) ? null : SQLitePCL.raw.sqlite3_column_int64(statement, i));
        }

        public static Row Of(Storage.ClickHouse.TabSeparatedRow row) => new(
            column => row[column],
            column => row[column] is { } text ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null);

        public static Row Of(JsonElement row) => new(
            column => row.GetProperty(column) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null,
            column => row.GetProperty(column) is { ValueKind: JsonValueKind.Number } value ? value.GetInt64() : null);
    }

    public static SessionEvent ToEvent(Row r) => new()
    {
        Id = r.Required("id"),
        CreatedAt = r.Long("created_at"),
        EventType = r.Required("event_type"),
        PageUrl = r.Text("page_url"),
        ReferrerUrl = r.Text("referrer_url"),
        UtmSource = r.Text("utm_source"),
        UtmMedium = r.Text("utm_medium"),
        UtmCampaign = r.Text("utm_campaign"),
        UtmContent = r.Text("utm_content"),
        UtmTerm = r.Text("utm_term"),
        Channel = r.Text("channel"),
        LeadSource = r.Text("lead_source"),
        Source = r.Text("source"),
        Medium = r.Text("medium"),
        DeviceType = r.Text("device_type"),
        Browser = r.Text("browser"),
        Os = r.Text("os"),
        UserId = r.Text("user_id"),
        PropertiesJson = r.Text("properties") ?? "{}",
        OrderId = r.Text("order_id"),
        RevenueMicros = r.Number("revenue_micros"),
        Currency = r.Text("currency"),
    };

    public static Session ToSession(Row r) => new()
    {
        TenantKey = r.Long("tenant_key"),
        VisitorId = r.Required("visitor_id"),
        SessionId = r.Required("session_id"),
        StartedAt = r.Long("started_at"),
        EndedAt = r.Long("ended_at"),
        TrafficKey = r.Required("traffic_key"),
        Channel = r.Required("channel"),
        LeadSource = r.Required("lead_source"),
        Source = r.Text("source"),
        Medium = r.Text("medium"),
        Campaign = r.Text("campaign"),
        Content = r.Text("content"),
        Term = r.Text("term"),
        ClickId = r.Text("click_id"),
        Referrer = r.Text("referrer"),
        ReferrerDomain = r.Text("referrer_domain"),
        LandingPage = r.Text("landing_page"),
        ExitPage = r.Text("exit_page"),
        FirstEventType = r.Required("first_event_type"),
        DeviceType = r.Text("device_type"),
        Browser = r.Text("browser"),
        Os = r.Text("os"),
        UserId = r.Text("user_id"),
        PageViews = (int)r.Long("page_views"),
        Events = (int)r.Long("events"),
        Conversions = (int)r.Long("conversions"),
        ConversionType = r.Text("conversion_type"),
        ConversionValueMicros = r.Number("conversion_value_micros"),
        Currency = r.Text("currency"),
        OrderId = r.Text("order_id"),
        RevenueMicros = r.Long("revenue_micros"),
        RevenueCurrency = r.Text("revenue_currency"),
        Orders = (int)r.Long("orders"),
        Leads = (int)r.Long("leads"),
    };

    /// <summary>A session's values in <see cref="SessionColumnNames"/> order: strings, longs or null.</summary>
    public static object?[] Values(Session s) =>
    [
        s.TenantKey, s.VisitorId, s.SessionId, s.StartedAt, s.EndedAt, s.TrafficKey, s.Channel, s.LeadSource, s.Source, s.Medium,
        s.Campaign, s.Content, s.Term, s.ClickId, s.Referrer, s.ReferrerDomain, s.LandingPage, s.ExitPage, s.FirstEventType,
        s.DeviceType, s.Browser, s.Os, s.UserId, (long)s.PageViews, (long)s.Events, (long)s.Conversions, s.ConversionType,
        s.ConversionValueMicros, s.Currency, s.OrderId, s.RevenueMicros, s.RevenueCurrency, (long)s.Orders, (long)s.Leads,
    ];
}
