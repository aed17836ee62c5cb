using System.Text;
using Utmost.Core.Events;

namespace Utmost.Tests.Core;

public sealed class EventParserTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static EventParser.Result Parse(string json, bool allowArray = true) =>
        EventParser.Parse(Encoding.UTF8.GetBytes(json), allowArray, Now);

    private static EventParser.Result Parse(byte[] json, bool allowArray = true) =>
        EventParser.Parse(json, allowArray, Now);

    private static IDictionary<string, string[]> Errors(EventParser.Result result) => result.Errors.ToDictionary();

    /// <summary>Asserts the body was refused with errors on exactly the given field paths.</summary>
    private static void AssertRejected(EventParser.Result result, params string[] fields)
    {
        Assert.Empty(result.Events);
        Assert.Equal(fields.Order(StringComparer.Ordinal), Errors(result).Keys.Order(StringComparer.Ordinal));
    }

    private static string Event(string field, string jsonValue) => $$"""{"event_type":"page_view","{{field}}":{{jsonValue}}}""";

    private static string Quoted(string text) => "\"" + text + "\"";

    [Fact]
    public void A_single_object_yields_one_event_with_every_field()
    {
        var result = Parse("""
            {
              "event_type": "lead_created", "event_id": "e-1", "site": "main", "event_name": "Contact form",
              "page_url": "https://example.com/contact?x=1", "referrer_url": "https://www.google.com/",
              "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring", "utm_term": "roofer",
              "utm_content": "ad-a", "ad_source": "gads", "session_id": "s-9", "lead_source": "paid_search",
              "user_agent": "Mozilla/5.0", "ip_address": "203.0.113.5", "user_id": "u-1", "lead_id": 42,
              "properties": { "plan": "pro", "seats": 3 }, "metadata": { "k": [1, 2] },
              "timestamp": "2025-06-01T10:00:00Z"
            }
            """, allowArray: false);

        Assert.True(result.Errors.IsEmpty);
        Assert.False(result.WasArray);
        var e = Assert.Single(result.Events);
        Assert.Equal("lead_created", e.EventType);
        Assert.Equal("e-1", e.EventId);
        Assert.Equal("main", e.Site);
        Assert.Equal("Contact form", e.EventName);
        Assert.Equal("https://example.com/contact?x=1", e.PageUrl);
        Assert.Equal("https://www.google.com/", e.ReferrerUrl);
        Assert.Equal("google", e.UtmSource);
        Assert.Equal("cpc", e.UtmMedium);
        Assert.Equal("spring", e.UtmCampaign);
        Assert.Equal("roofer", e.UtmTerm);
        Assert.Equal("ad-a", e.UtmContent);
        Assert.Equal("gads", e.AdSource);
        Assert.Equal("s-9", e.SessionId);
        Assert.Equal("paid_search", e.LeadSource);
        Assert.Equal("Mozilla/5.0", e.UserAgent);
        Assert.Equal("203.0.113.5", e.IpAddress);
        Assert.Equal(new ExternalId("u-1", false), e.UserId);
        Assert.Equal(new ExternalId("42", true), e.LeadId);
        Assert.Equal("""{"plan":"pro","seats":3}""", e.PropertiesJson);
        Assert.Equal("""{"k":[1,2]}""", e.MetadataJson);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero), e.Timestamp);
    }

    [Fact]
    public void Optional_fields_default_when_absent_or_null()
    {
        var result = Parse("""{"event_type":"page_view","utm_source":null,"properties":null,"lead_id":null}""");

        var e = Assert.Single(result.Events);
        Assert.Null(e.UtmSource);
        Assert.Null(e.LeadId);
        Assert.Null(e.Timestamp);
        Assert.Equal("{}", e.PropertiesJson);
        Assert.Equal("{}", e.MetadataJson);
    }

    [Fact]
    public void An_array_yields_its_events_in_order()
    {
        var result = Parse("""[{"event_type":"page_view"},{"event_type":"form_submit"},{"event_type":"my_custom_1"}]""");

        Assert.True(result.Errors.IsEmpty);
        Assert.True(result.WasArray);
        Assert.Equal(["page_view", "form_submit", "my_custom_1"], result.Events.Select(e => e.EventType));
    }

    [Fact]
    public void An_array_is_rejected_where_only_one_event_is_allowed()
    {
        var result = Parse("""[{"event_type":"page_view"}]""", allowArray: false);

        AssertRejected(result, "body");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"page_view\"")]
    [InlineData("null")]
    [InlineData("{\"event_type\":")]
    [InlineData("")]
    [InlineData("{\"event_type\":\"page_view\"} {}")]
    public void A_body_that_is_not_events_is_rejected_as_a_whole(string json)
    {
        AssertRejected(Parse(json), "body");
    }

    [Fact]
    public void A_batch_of_exactly_ten_thousand_is_accepted()
    {
        var json = "[" + string.Join(",", Enumerable.Repeat("""{"event_type":"page_view"}""", 10_000)) + "]";

        var result = Parse(json);

        Assert.True(result.Errors.IsEmpty);
        Assert.Equal(10_000, result.Events.Count);
    }

    [Fact]
    public void A_batch_of_more_than_ten_thousand_is_rejected()
    {
        var json = "[" + string.Join(",", Enumerable.Repeat("""{"event_type":"page_view"}""", 10_001)) + "]";

        AssertRejected(Parse(json), "body");
    }

    [Fact]
    public void Errors_in_a_batch_are_keyed_by_item_index_and_no_event_is_kept()
    {
        var json = """
            [
              {"event_type":"page_view"},
              {"event_type":"page_view"},
              {"event_type":"page_view"},
              {"event_type":"page_view","utm_source":17},
              {"event_type":"page_view"},
              "not an object",
              {"utm_medium":"cpc"}
            ]
            """;

        var result = Parse(json);

        AssertRejected(result, "[3].utm_source", "[5]", "[6].event_type");
        Assert.True(result.WasArray);
    }

    [Fact]
    public void One_bad_item_among_good_ones_yields_zero_events()
    {
        var result = Parse("""[{"event_type":"page_view"},{"event_type":"page_view","lead_id":1.5}]""");

        AssertRejected(result, "[1].lead_id");
    }

    [Theory]
    [InlineData("event_id")]
    [InlineData("site")]
    [InlineData("event_name")]
    [InlineData("page_url")]
    [InlineData("referrer_url")]
    [InlineData("utm_source")]
    [InlineData("utm_medium")]
    [InlineData("utm_campaign")]
    [InlineData("utm_term")]
    [InlineData("utm_content")]
    [InlineData("ad_source")]
    [InlineData("session_id")]
    [InlineData("lead_source")]
    [InlineData("user_agent")]
    [InlineData("ip_address")]
    [InlineData("timestamp")]
    [InlineData("event_type")]
    public void String_fields_reject_numbers_booleans_objects_and_arrays(string field)
    {
        foreach (var value in new[] { "12", "true", "{}", "[\"a\"]" })
        {
            var json = field == "event_type" ? $$"""{"event_type":{{value}}}""" : Event(field, value);

            AssertRejected(Parse(json), field);
        }
    }

    [Theory]
    [InlineData("event_type", 64)]
    [InlineData("event_id", 128)]
    [InlineData("site", 64)]
    [InlineData("event_name", 255)]
    [InlineData("page_url", 8192)]
    [InlineData("referrer_url", 8192)]
    [InlineData("utm_source", 255)]
    [InlineData("utm_medium", 255)]
    [InlineData("utm_campaign", 255)]
    [InlineData("utm_term", 255)]
    [InlineData("utm_content", 255)]
    [InlineData("ad_source", 255)]
    [InlineData("session_id", 255)]
    // lead_source is also held to the snake_case pattern, which allows 64 characters.
    [InlineData("lead_source", 64)]
    public void String_fields_accept_exactly_the_limit_and_reject_one_more(string field, int limit)
    {
        // Lowercase letters are valid in every field, including the snake_case ones.
        string Json(int length) => field == "event_type"
            ? $$"""{"event_type":"{{new string('a', length)}}"}"""
            : Event(field, Quoted(new string('a', length)));

        var atLimit = Parse(Json(limit));
        var overLimit = Parse(Json(limit + 1));

        Assert.True(atLimit.Errors.IsEmpty, string.Join("; ", Errors(atLimit).Keys));
        Assert.Single(atLimit.Events);
        AssertRejected(overLimit, field);
    }

    [Fact]
    public void Length_limits_count_characters_not_utf16_units()
    {
        // 255 emoji are 510 UTF-16 units but 255 characters; 256 emoji are one too many.
        var atLimit = Parse(Event("utm_source", Quoted(string.Concat(Enumerable.Repeat("\U0001F600", 255)))));
        var overLimit = Parse(Event("utm_source", Quoted(string.Concat(Enumerable.Repeat("\U0001F600", 256)))));

        Assert.Equal(255 * 2, Assert.Single(atLimit.Events).UtmSource!.Length);
        AssertRejected(overLimit, "utm_source");
    }

    [Fact]
    public void An_over_long_user_agent_is_cut_not_refused()
    {
        var result = Parse(Event("user_agent", Quoted(new string('u', 5000))));

        Assert.Equal(new string('u', 1024), Assert.Single(result.Events).UserAgent);
    }

    [Theory]
    [InlineData("utm_source")]
    [InlineData("page_url")]
    [InlineData("user_agent")]
    [InlineData("lead_id")]
    public void A_NUL_escape_in_a_string_is_rejected(string field)
    {
        AssertRejected(Parse(Event(field, "\"a\\u0000b\"")), field);
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"x\\ud800y\"")]
    [InlineData("\"\\udc00\"")]
    [InlineData("\"\\udc00\\ud800\"")]
    public void A_lone_surrogate_escape_is_rejected(string jsonString)
    {
        AssertRejected(Parse(Event("utm_campaign", jsonString)), "utm_campaign");
    }

    [Fact]
    public void An_escaped_surrogate_pair_is_accepted_as_one_character()
    {
        var result = Parse(Event("utm_campaign", "\"\\ud83d\\ude00\""));

        Assert.Equal("\U0001F600", Assert.Single(result.Events).UtmCampaign);
    }

    [Fact]
    public void Invalid_utf8_bytes_inside_a_string_are_rejected()
    {
        var prefix = Encoding.UTF8.GetBytes("""{"event_type":"page_view","utm_source":"ab""");
        var suffix = Encoding.UTF8.GetBytes("""cd"}""");
        byte[] json = [.. prefix, 0xC3, 0x28, .. suffix];

        var result = Parse(json);

        AssertRejected(result, "utm_source");
        Assert.Equal(["must be valid Unicode text"], Errors(result)["utm_source"]);
    }

    [Theory]
    [InlineData("\"\\u0000\"")]
    [InlineData("\"\\ud800\"")]
    public void Bad_text_inside_properties_is_rejected(string jsonString)
    {
        AssertRejected(Parse(Event("properties", $$"""{"note":{{jsonString}}}""")), "properties");
        AssertRejected(Parse(Event("properties", $$"""{"list":[{{jsonString}}]}""")), "properties");
        AssertRejected(Parse(Event("metadata", $$"""{{{jsonString}}:1}""")), "metadata");
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"{}\"")]
    [InlineData("5")]
    [InlineData("true")]
    public void Properties_and_metadata_must_be_objects(string value)
    {
        AssertRejected(Parse(Event("properties", value)), "properties");
        AssertRejected(Parse(Event("metadata", value)), "metadata");
    }

    [Fact]
    public void Properties_over_16_KiB_are_rejected()
    {
        // {"a":"…"} is 8 bytes plus the text: 16,384 bytes exactly fits, one more does not.
        var fits = Parse(Event("properties", $$"""{"a":"{{new string('x', 16_384 - 8)}}"}"""));
        var tooBig = Parse(Event("properties", $$"""{"a":"{{new string('x', 16_384 - 7)}}"}"""));

        Assert.Single(fits.Events);
        AssertRejected(tooBig, "properties");
    }

    private static string Nested(int objects) =>
        string.Concat(Enumerable.Repeat("{\"a\":", objects - 1)) + "{}" + new string('}', objects - 1);

    [Fact]
    public void Nesting_up_to_16_levels_is_accepted()
    {
        // The event object is level 1, so properties may hold 15 levels.
        var result = Parse(Event("properties", Nested(15)), allowArray: false);

        Assert.True(result.Errors.IsEmpty);
        Assert.Single(result.Events);
    }

    [Fact]
    public void Nesting_over_16_levels_is_rejected()
    {
        AssertRejected(Parse(Event("properties", Nested(16)), allowArray: false), "body");
        AssertRejected(Parse(Event("properties", Nested(500)), allowArray: false), "body");
    }

    [Fact]
    public void Lead_id_keeps_integers_and_strings_apart()
    {
        var number = Parse(Event("lead_id", "9007199254740993"));
        var text = Parse(Event("lead_id", "\"9007199254740993\""));
        var negative = Parse(Event("user_id", "-7"));

        Assert.Equal(new ExternalId("9007199254740993", true), Assert.Single(number.Events).LeadId);
        Assert.Equal(new ExternalId("9007199254740993", false), Assert.Single(text.Events).LeadId);
        Assert.Equal(new ExternalId("-7", true), Assert.Single(negative.Events).UserId);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("[1]")]
    public void Lead_id_rejects_floats_and_other_kinds(string value)
    {
        AssertRejected(Parse(Event("lead_id", value)), "lead_id");
        AssertRejected(Parse(Event("user_id", value)), "user_id");
    }

    [Fact]
    public void Lead_id_as_a_string_obeys_the_length_limit()
    {
        Assert.Single(Parse(Event("lead_id", Quoted(new string('9', 255)))).Events);
        AssertRejected(Parse(Event("lead_id", Quoted(new string('9', 256)))), "lead_id");
    }

    [Theory]
    [InlineData("unknown_field")]
    [InlineData("Event_Type")]
    [InlineData("utmSource")]
    [InlineData("")]
    public void An_unknown_field_is_rejected(string field)
    {
        AssertRejected(Parse(Event(field, "\"x\"")), field);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"utm_source":"google"}""")]
    [InlineData("""{"event_type":null}""")]
    [InlineData("""{"event_type":""}""")]
    public void A_missing_event_type_is_required(string json)
    {
        var result = Parse(json);

        AssertRejected(result, "event_type");
        Assert.Contains("is required", Errors(result)["event_type"]);
    }

    [Fact]
    public void An_empty_event_type_is_reported_even_when_another_field_is_also_bad()
    {
        var result = Parse("""{"event_type":"","utm_source":5}""");

        AssertRejected(result, "event_type", "utm_source");
    }

    [Fact]
    public void A_bad_event_type_is_not_also_called_missing()
    {
        var result = Parse("""{"event_type":7,"utm_source":5}""");

        AssertRejected(result, "event_type", "utm_source");
        Assert.DoesNotContain("is required", Errors(result)["event_type"]);
    }

    [Fact]
    public void A_missing_event_type_is_reported_alongside_other_errors()
    {
        AssertRejected(Parse("""{"utm_source":5}"""), "event_type", "utm_source");
    }

    [Theory]
    [InlineData("page_view")]
    [InlineData("a")]
    [InlineData("purchase")]
    [InlineData("x9_")]
    [InlineData("step_2_done")]
    public void Event_types_in_snake_case_are_accepted(string eventType)
    {
        Assert.Equal(eventType, Assert.Single(Parse($$"""{"event_type":"{{eventType}}"}""").Events).EventType);
    }

    [Theory]
    [InlineData("PageView")]
    [InlineData("Page_view")]
    [InlineData("1st_visit")]
    [InlineData("_hidden")]
    [InlineData("page-view")]
    [InlineData("page view")]
    [InlineData("page.view")]
    [InlineData(" page_view")]
    [InlineData("page_view ")]
    [InlineData("pagé")]
    [InlineData("page_view\\n")]
    public void Event_types_outside_the_pattern_are_rejected(string eventType)
    {
        var result = Parse($$"""{"event_type":"{{eventType}}"}""");

        AssertRejected(result, "event_type");
        Assert.DoesNotContain("is required", Errors(result)["event_type"]);
    }

    [Theory]
    [InlineData("Paid_Search")]
    [InlineData("paid-search")]
    public void A_lead_source_outside_snake_case_is_rejected(string leadSource)
    {
        AssertRejected(Parse(Event("lead_source", Quoted(leadSource))), "lead_source");
    }

    [Theory]
    [InlineData("not an ip")]
    [InlineData("300.1.1.1")]
    [InlineData("2001:db8::zz")]
    public void An_invalid_ip_address_is_rejected(string ip)
    {
        AssertRejected(Parse(Event("ip_address", Quoted(ip))), "ip_address");
    }

    [Fact]
    public void A_timestamp_59_minutes_ahead_is_accepted()
    {
        var result = Parse(Event("timestamp", "\"2025-06-01T12:59:00Z\""));

        Assert.Equal(Now.AddMinutes(59), Assert.Single(result.Events).Timestamp);
    }

    [Fact]
    public void A_timestamp_exactly_one_hour_ahead_is_accepted()
    {
        Assert.Single(Parse(Event("timestamp", "\"2025-06-01T13:00:00Z\"")).Events);
    }

    [Theory]
    [InlineData("2025-06-01T13:00:00.001Z")]
    [InlineData("2025-06-01T13:01:00Z")]
    [InlineData("2025-06-01T15:01:00+02:00")]
    [InlineData("2026-01-01T00:00:00Z")]
    public void A_timestamp_more_than_one_hour_ahead_is_rejected(string timestamp)
    {
        AssertRejected(Parse(Event("timestamp", Quoted(timestamp))), "timestamp");
    }

    [Theory]
    [InlineData("2025-05-31T08:30:00", 2025, 5, 31, 8, 30)]
    [InlineData("2025-05-31 08:30", 2025, 5, 31, 8, 30)]
    [InlineData("2025-05-31T08:30:00Z", 2025, 5, 31, 8, 30)]
    [InlineData("2025-05-31T10:30:00+02:00", 2025, 5, 31, 8, 30)]
    [InlineData("2025-05-31T03:30:00-0500", 2025, 5, 31, 8, 30)]
    [InlineData("2025-06-01T01:00:00+05:30", 2025, 5, 31, 19, 30)]
    public void Timestamps_are_read_as_utc_instants(string timestamp, int year, int month, int day, int hour, int minute)
    {
        var parsed = Assert.Single(Parse(Event("timestamp", Quoted(timestamp))).Events).Timestamp;

        Assert.Equal(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero), parsed);
        Assert.Equal(TimeSpan.Zero, parsed!.Value.Offset);
    }

    [Theory]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("06/01/2025 10:00")]
    [InlineData("2025-06-01")]
    [InlineData("yesterday")]
    [InlineData("2025-02-30T10:00:00Z")]
    [InlineData("1748772000")]
    public void Timestamps_that_are_not_iso_date_times_or_before_1970_are_rejected(string timestamp)
    {
        AssertRejected(Parse(Event("timestamp", Quoted(timestamp))), "timestamp");
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\u0000\"")]
    public void A_bad_field_name_is_rejected_without_throwing(string jsonName)
    {
        var single = Parse($$"""{"event_type":"page_view",{{jsonName}}:1}""");
        var batch = Parse($$"""[{"event_type":"page_view"},{"event_type":"page_view",{{jsonName}}:1}]""");

        Assert.Empty(single.Events);
        Assert.Single(Errors(single));
        Assert.Empty(batch.Events);
        var key = Assert.Single(Errors(batch).Keys);
        Assert.StartsWith("[1]", key, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_bytes_in_a_field_name_are_rejected_without_throwing()
    {
        byte[] json = [.. Encoding.UTF8.GetBytes("{\"event_type\":\"page_view\",\"a"), 0xFF, .. Encoding.UTF8.GetBytes("\":1}")];

        var result = Parse(json);

        Assert.Empty(result.Events);
        Assert.NotEmpty(Errors(result).Keys);
    }

    [Fact]
    public void Invalid_utf8_bytes_in_a_properties_key_are_rejected_without_throwing()
    {
        byte[] json = [.. Encoding.UTF8.GetBytes("{\"event_type\":\"page_view\",\"properties\":{\"a"), 0xFF, .. Encoding.UTF8.GetBytes("\":1}}")];

        AssertRejected(Parse(json), "properties");
    }

    [Fact]
    public void A_timestamp_at_the_epoch_is_accepted()
    {
        Assert.Equal(DateTimeOffset.UnixEpoch, Assert.Single(Parse(Event("timestamp", "\"1970-01-01T00:00:00Z\"")).Events).Timestamp);
    }

    [Fact]
    public void Revenue_comes_as_an_amount_and_currency_object_or_a_bare_amount_beside_a_currency_rounded_to_the_micro_unit()
    {
        var result = Parse("""
            [{"event_type":"purchase","order_id":"o-1","revenue":{"amount":59.970000000000006,"currency":"eur"}},
             {"event_type":"purchase","order_id":1234,"revenue":"19.5","currency":"JPY"},
             {"event_type":"purchase","revenue":{"currency":"USD","amount":"0.0000005"}}]
            """);

        Assert.True(result.Errors.IsEmpty);
        Assert.Equal([("o-1", 59.97m, "EUR"), ("1234", 19.5m, "JPY"), (null, 0m, "USD")],
            result.Events.Select(e => (e.OrderId, e.Revenue!.Value, e.Currency)));
    }

    [Theory]
    [InlineData("""{"event_type":"purchase","revenue":10}""", "revenue")]
    [InlineData("""{"event_type":"purchase","revenue":{"amount":10}}""", "revenue")]
    [InlineData("""{"event_type":"purchase","revenue":{"amount":10,"currency":"EURO"}}""", "revenue.currency")]
    [InlineData("""{"event_type":"purchase","revenue":{"amount":10,"currency":"XYZ"}}""", "revenue.currency")]
    [InlineData("""{"event_type":"purchase","revenue":{"amount":"ten","currency":"EUR"}}""", "revenue.amount")]
    [InlineData("""{"event_type":"purchase","revenue":{"amount":-1,"currency":"EUR"}}""", "revenue.amount")]
    [InlineData("""{"event_type":"purchase","revenue":{"amount":1e13,"currency":"EUR"}}""", "revenue.amount")]
    [InlineData("""{"event_type":"purchase","revenue":{"currency":"EUR"}}""", "revenue.amount")]
    [InlineData("""{"event_type":"purchase","revenue":{"amount":1,"currency":"EUR","tax":2}}""", "revenue.tax")]
    [InlineData("""{"event_type":"purchase","revenue":[1],"currency":"EUR"}""", "revenue")]
    [InlineData("""{"event_type":"purchase","order_id":{"n":1}}""", "order_id")]
    public void Bad_revenue_or_order_ids_are_refused_naming_the_field(string json, string field)
    {
        AssertRejected(Parse(json), field);
    }
}
