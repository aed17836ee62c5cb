using System.Text.Json;
using Utmost.Core.Campaigns;
using Utmost.Core.Common;

namespace Utmost.Tests.Core;

public sealed class CampaignRulesTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Created = new(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static Campaign Blank() => new() { Id = "c-1", TenantId = "t-1", CampaignName = "", CreatedAt = Now, UpdatedAt = Now };

    private static Campaign Existing() => new()
    {
        Id = "c-1",
        TenantId = "t-1",
        CampaignName = "Spring sale",
        CampaignType = "email",
        Status = "active",
        StartDate = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero),
        EndDate = new DateTimeOffset(2025, 3, 31, 0, 0, 0, TimeSpan.Zero),
        Budget = 1000m,
        Spent = 250.5m,
        Currency = "EUR",
        UtmCampaign = "spring",
        UtmSource = "newsletter",
        UtmMedium = "email",
        TargetAudienceJson = """{"region":"north"}""",
        MetadataJson = """{"owner":"ann"}""",
        CreatedAt = Created,
        UpdatedAt = Created,
    };

    private static (Campaign? Campaign, IDictionary<string, string[]> Errors) Apply(Campaign current, string json, bool isCreate)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new ValidationErrors();
        var campaign = CampaignRules.Apply(current, document.RootElement, isCreate, Now, errors);
        return (campaign, errors.ToDictionary());
    }

    private static (Campaign? Campaign, IDictionary<string, string[]> Errors) Create(string json) => Apply(Blank(), json, isCreate: true);

    private static (Campaign? Campaign, IDictionary<string, string[]> Errors) Patch(string json) => Apply(Existing(), json, isCreate: false);

    private static void AssertRejected((Campaign? Campaign, IDictionary<string, string[]> Errors) result, params string[] fields)
    {
        Assert.Null(result.Campaign);
        Assert.Equal(fields.Order(StringComparer.Ordinal), result.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Create_with_only_a_name_takes_the_defaults()
    {
        var (campaign, errors) = Create("""{"campaign_name":"  Summer launch  "}""");

        Assert.Empty(errors);
        Assert.NotNull(campaign);
        Assert.Equal("Summer launch", campaign.CampaignName);
        Assert.Equal("active", campaign.Status);
        Assert.Equal("USD", campaign.Currency);
        Assert.Null(campaign.CampaignType);
        Assert.Null(campaign.Budget);
        Assert.Equal(0m, campaign.Spent);
        Assert.Equal(Now, campaign.UpdatedAt);
        Assert.Equal("c-1", campaign.Id);
    }

    [Fact]
    public void Create_with_every_field_stores_them()
    {
        var (campaign, errors) = Create("""
            {
              "campaign_name": "Roof promo", "campaign_type": "ppc", "status": "draft",
              "start_date": "2025-07-01", "end_date": "2025-07-31T18:00:00+02:00",
              "budget": 1500.25, "spent": "99.9", "currency": "GBP",
              "utm_campaign": "roof", "utm_source": "google", "utm_medium": "cpc",
              "target_audience": { "age": [30, 60] }, "metrics": { "goal": "leads" }, "metadata": { "a": null }
            }
            """);

        Assert.Empty(errors);
        Assert.NotNull(campaign);
        Assert.Equal("ppc", campaign.CampaignType);
        Assert.Equal("draft", campaign.Status);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero), campaign.StartDate);
        Assert.Equal(new DateTimeOffset(2025, 7, 31, 16, 0, 0, TimeSpan.Zero), campaign.EndDate);
        Assert.Equal(1500.25m, campaign.Budget);
        Assert.Equal(99.9m, campaign.Spent);
        Assert.Equal("GBP", campaign.Currency);
        Assert.Equal("roof", campaign.UtmCampaign);
        Assert.Equal("google", campaign.UtmSource);
        Assert.Equal("cpc", campaign.UtmMedium);
        Assert.Equal("""{"age":[30,60]}""", campaign.TargetAudienceJson);
        Assert.Equal("""{"goal":"leads"}""", campaign.MetricsJson);
        Assert.Equal("""{"a":null}""", campaign.MetadataJson);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"status":"draft"}""")]
    public void Create_requires_campaign_name(string json)
    {
        var result = Create(json);

        AssertRejected(result, "campaign_name");
        Assert.Contains("is required", result.Errors["campaign_name"]);
    }

    [Theory]
    [InlineData("""{"campaign_name":""}""")]
    [InlineData("""{"campaign_name":"   "}""")]
    [InlineData("""{"campaign_name":null}""")]
    [InlineData("""{"campaign_name":42}""")]
    public void Campaign_name_must_be_non_empty_text(string json)
    {
        AssertRejected(Create(json), "campaign_name");
        AssertRejected(Patch(json), "campaign_name");
    }

    [Fact]
    public void Campaign_name_is_limited_to_255_characters()
    {
        Assert.NotNull(Create($$"""{"campaign_name":"{{new string('n', 255)}}"}""").Campaign);
        AssertRejected(Create($$"""{"campaign_name":"{{new string('n', 256)}}"}"""), "campaign_name");
    }

    [Theory]
    [InlineData("""{"campaign_name":"x","status":"running"}""", "status")]
    [InlineData("""{"campaign_name":"x","status":"Active"}""", "status")]
    [InlineData("""{"campaign_name":"x","status":null}""", "status")]
    [InlineData("""{"campaign_name":"x","status":1}""", "status")]
    [InlineData("""{"campaign_name":"x","campaign_type":"billboard"}""", "campaign_type")]
    [InlineData("""{"campaign_name":"x","campaign_type":"PPC"}""", "campaign_type")]
    [InlineData("""{"campaign_name":"x","campaign_type":true}""", "campaign_type")]
    public void Unknown_status_or_type_is_an_error(string json, string field)
    {
        AssertRejected(Create(json), field);
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("active")]
    [InlineData("paused")]
    [InlineData("completed")]
    [InlineData("archived")]
    public void Every_documented_status_is_accepted(string status)
    {
        Assert.Equal(status, Patch($$"""{"status":"{{status}}"}""").Campaign?.Status);
    }

    [Theory]
    [InlineData("budget", "-1")]
    [InlineData("budget", "-0.01")]
    [InlineData("spent", "-5")]
    [InlineData("spent", "\"-5\"")]
    public void Negative_money_is_an_error(string field, string value)
    {
        AssertRejected(Patch($$"""{"{{field}}":{{value}}}"""), field);
    }

    [Theory]
    [InlineData("budget", "10.001")]
    [InlineData("budget", "0.125")]
    [InlineData("spent", "1.999")]
    [InlineData("spent", "\"3.141\"")]
    public void Money_with_more_than_two_decimals_is_an_error(string field, string value)
    {
        AssertRejected(Patch($$"""{"{{field}}":{{value}}}"""), field);
    }

    [Theory]
    [InlineData("budget", "\"ten\"")]
    [InlineData("budget", "\"1,000\"")]
    [InlineData("budget", "true")]
    [InlineData("budget", "[1]")]
    [InlineData("budget", "100000000")]
    [InlineData("spent", "99999999.991")]
    public void Money_that_is_not_a_valid_amount_is_an_error(string field, string value)
    {
        AssertRejected(Patch($$"""{"{{field}}":{{value}}}"""), field);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("12", 12)]
    [InlineData("12.5", 12.5)]
    [InlineData("12.50", 12.5)]
    [InlineData("12.340", 12.34)]
    [InlineData("\"7.25\"", 7.25)]
    [InlineData("99999999.99", 99999999.99)]
    public void Money_with_up_to_two_decimals_is_accepted(string value, double expected)
    {
        Assert.Equal((decimal)expected, Patch($$"""{"budget":{{value}}}""").Campaign?.Budget);
    }

    [Fact]
    public void End_date_before_start_date_is_an_error()
    {
        AssertRejected(Create("""{"campaign_name":"x","start_date":"2025-07-10","end_date":"2025-07-09"}"""), "end_date");
        AssertRejected(Create("""{"campaign_name":"x","start_date":"2025-07-10T10:00:00Z","end_date":"2025-07-10T09:59:59Z"}"""), "end_date");
    }

    [Fact]
    public void End_date_equal_to_start_date_is_accepted()
    {
        var (campaign, _) = Create("""{"campaign_name":"x","start_date":"2025-07-10","end_date":"2025-07-10"}""");

        Assert.NotNull(campaign);
        Assert.Equal(campaign.StartDate, campaign.EndDate);
    }

    [Fact]
    public void A_patch_is_checked_against_the_stored_dates()
    {
        // The stored campaign starts 2025-03-01: moving only the end before it must fail.
        AssertRejected(Patch("""{"end_date":"2025-02-28"}"""), "end_date");
        AssertRejected(Patch("""{"start_date":"2025-04-01"}"""), "end_date");
    }

    [Theory]
    [InlineData("2025-13-01")]
    [InlineData("01/07/2025")]
    [InlineData("tomorrow")]
    [InlineData("2025-07-01T10:00:00 +02:00")]
    public void Dates_must_be_iso(string date)
    {
        AssertRejected(Patch($$"""{"start_date":"{{date}}"}"""), "start_date");
    }

    [Fact]
    public void A_patch_changes_only_the_fields_it_names()
    {
        var before = Existing();

        var (campaign, errors) = Patch("""{"status":"paused","budget":2000}""");

        Assert.Empty(errors);
        Assert.Equal(before with { Status = "paused", Budget = 2000m, UpdatedAt = Now }, campaign);
    }

    [Fact]
    public void Null_clears_optional_fields()
    {
        var before = Existing();

        var (campaign, errors) = Patch("""
            {"campaign_type":null,"start_date":null,"end_date":null,"budget":null,"utm_campaign":null,
             "utm_source":null,"utm_medium":null,"target_audience":null,"metadata":null}
            """);

        Assert.Empty(errors);
        Assert.Equal(
            before with
            {
                CampaignType = null, StartDate = null, EndDate = null, Budget = null, UtmCampaign = null,
                UtmSource = null, UtmMedium = null, TargetAudienceJson = "{}", MetadataJson = "{}", UpdatedAt = Now,
            },
            campaign);
    }

    [Fact]
    public void An_empty_patch_changes_nothing_but_updated_at()
    {
        var before = Existing();

        Assert.Equal(before with { UpdatedAt = Now }, Patch("{}").Campaign);
    }

    [Theory]
    [InlineData("id", "\"c-2\"")]
    [InlineData("tenant_id", "\"t-2\"")]
    [InlineData("created_at", "\"2025-01-01T00:00:00Z\"")]
    [InlineData("updated_at", "\"2025-01-01T00:00:00Z\"")]
    [InlineData("deleted_at", "null")]
    public void Server_owned_fields_are_rejected(string field, string value)
    {
        AssertRejected(Patch($$"""{"{{field}}":{{value}}}"""), field);
        AssertRejected(Create($$"""{"campaign_name":"x","{{field}}":{{value}}}"""), field);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("Campaign_Name")]
    [InlineData("spend")]
    public void Unknown_fields_are_rejected(string field)
    {
        AssertRejected(Patch($$"""{"{{field}}":"x"}"""), field);
    }

    [Theory]
    [InlineData("USD")]
    [InlineData("EUR")]
    [InlineData("JPY")]
    public void A_currency_of_three_uppercase_letters_is_accepted(string currency)
    {
        Assert.Equal(currency, Patch($$"""{"currency":"{{currency}}"}""").Campaign?.Currency);
    }

    [Theory]
    [InlineData("\"usd\"")]
    [InlineData("\"Usd\"")]
    [InlineData("\"US\"")]
    [InlineData("\"EURO\"")]
    [InlineData("\"USD\\n\"")]
    [InlineData("\"US1\"")]
    [InlineData("\"ÄBC\"")]
    [InlineData("\"\"")]
    [InlineData("null")]
    [InlineData("840")]
    public void Any_other_currency_is_rejected(string value)
    {
        AssertRejected(Patch($$"""{"currency":{{value}}}"""), "currency");
    }

    [Fact]
    public void A_field_name_that_is_not_valid_text_is_rejected_without_throwing()
    {
        AssertRejected(Patch("""{"\ud800":1}"""), "body");
        AssertRejected(Patch("""{"status":"paused","x\udc00y":"z"}"""), "body");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"campaign\"")]
    [InlineData("null")]
    public void A_body_that_is_not_an_object_is_rejected(string json)
    {
        AssertRejected(Create(json), "body");
    }

    [Fact]
    public void Several_bad_fields_are_all_reported()
    {
        AssertRejected(Create("""{"status":"x","currency":"x","budget":-1,"id":"y"}"""), "campaign_name", "status", "currency", "budget", "id");
    }

    [Fact]
    public void Json_object_fields_must_be_objects()
    {
        AssertRejected(Patch("""{"target_audience":[1],"metrics":"x","metadata":3}"""), "target_audience", "metrics", "metadata");
    }
}
