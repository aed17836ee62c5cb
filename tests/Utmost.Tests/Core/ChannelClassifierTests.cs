using Utmost.Core.Channels;
using Utmost.Core.Common;
using Utmost.Core.Events;

namespace Utmost.Tests.Core;

public sealed class ChannelClassifierTests
{
    private static TrafficSource Tags(string? source, string? medium, string? campaign = null) =>
        ChannelClassifier.Classify(new ChannelInput(source, medium, campaign));

    // One or more cases for every GA4 rule, each with the AEON lead source it maps to.
    [Theory]
    [InlineData("(direct)", "(none)", null, "Direct", "direct")]
    [InlineData("(direct)", "(not set)", null, "Direct", "direct")]
    [InlineData("google", "cpc", "spring_cross-network_pmax", "Cross-network", "paid_search")]
    [InlineData("acme", "email", "Cross-Network", "Cross-network", "paid_search")]
    [InlineData("amazon", "cpc", null, "Paid Shopping", "paid_search")]
    [InlineData("acme", "paid", "summer_shopping", "Paid Shopping", "paid_search")]
    [InlineData("acme", "ppc", "eshop_deals", "Paid Shopping", "paid_search")]
    [InlineData("acme", "ppc", "shop", "Paid Shopping", "paid_search")]
    [InlineData("google", "cpc", null, "Paid Search", "paid_search")]
    [InlineData("bing", "ppc", null, "Paid Search", "paid_search")]
    [InlineData("www.google.co.uk", "paidsearch", null, "Paid Search", "paid_search")]
    [InlineData("duckduckgo", "retargeting", null, "Paid Search", "paid_search")]
    [InlineData("google", "cpm", null, "Paid Search", "paid_search")]
    [InlineData("facebook", "cpc", null, "Paid Social", "social_media")]
    [InlineData("l.facebook.com", "paid", null, "Paid Social", "social_media")]
    [InlineData("linkedin", "ppc", null, "Paid Social", "social_media")]
    [InlineData("youtube", "cpv", null, "Paid Video", "display_ads")]
    [InlineData("vimeo", "paid_video", null, "Paid Video", "display_ads")]
    [InlineData("doubleclick", "display", null, "Display", "display_ads")]
    [InlineData("acme", "banner", null, "Display", "display_ads")]
    [InlineData("acme", "expandable", null, "Display", "display_ads")]
    [InlineData("acme", "interstitial", null, "Display", "display_ads")]
    [InlineData("acme", "cpm", null, "Display", "display_ads")]
    [InlineData("adroll", "retargeting", null, "Paid Other", "paid_search")]
    [InlineData("acme", "paid_social", null, "Paid Other", "paid_search")]
    [InlineData("newsletter_vendor", "PAIDsearch", null, "Paid Other", "paid_search")]
    [InlineData("etsy", "referral", null, "Organic Shopping", "referral")]
    [InlineData("acme", "email", "holiday_shopping", "Organic Shopping", "referral")]
    [InlineData("instagram", null, null, "Organic Social", "social_media")]
    [InlineData("acme", "social", null, "Organic Social", "social_media")]
    [InlineData("acme", "social-network", null, "Organic Social", "social_media")]
    [InlineData("acme", "social media", null, "Organic Social", "social_media")]
    [InlineData("acme", "sm", null, "Organic Social", "social_media")]
    [InlineData("t.co", "post", null, "Organic Social", "social_media")]
    [InlineData("youtube", null, null, "Organic Video", "social_media")]
    [InlineData("acme", "video_embed", null, "Organic Video", "social_media")]
    [InlineData("google", "organic", null, "Organic Search", "organic_search")]
    [InlineData("bing", null, null, "Organic Search", "organic_search")]
    [InlineData("somewhere", "organic", null, "Organic Search", "organic_search")]
    [InlineData("google.com", null, null, "Organic Search", "organic_search")]
    [InlineData("blog.example.org", "referral", null, "Referral", "referral")]
    [InlineData("acme", "app", null, "Referral", "referral")]
    [InlineData("acme", "link", null, "Referral", "referral")]
    [InlineData("mailchimp", "email", null, "Email", "email")]
    [InlineData("mailchimp", "e-mail", null, "Email", "email")]
    [InlineData("e_mail", null, null, "Email", "email")]
    [InlineData("acme", "e mail", null, "Email", "email")]
    [InlineData("awin", "affiliate", null, "Affiliates", "affiliate")]
    [InlineData("spotify", "audio", null, "Audio", "other")]
    [InlineData("sms", null, null, "SMS", "other")]
    [InlineData("twilio", "SMS", null, "SMS", "other")]
    [InlineData("onesignal", "web_push", null, "Mobile Push Notifications", "other")]
    [InlineData("acme", "mobile_app", null, "Mobile Push Notifications", "other")]
    [InlineData("acme", "notification", null, "Mobile Push Notifications", "other")]
    [InlineData("firebase", null, null, "Mobile Push Notifications", "other")]
    [InlineData("mailchimp", "newsletter", null, "Unassigned", "other")]
    [InlineData("acme", "flyer", null, "Unassigned", "other")]
    [InlineData("qr_code", null, null, "Unassigned", "other")]
    [InlineData(null, "print", null, "Unassigned", "other")]
    public void Every_ga4_rule_gives_its_channel_and_lead_source(string? source, string? medium, string? campaign, string channel, string leadSource)
    {
        var traffic = Tags(source, medium, campaign);

        Assert.Equal((channel, leadSource), (traffic.Channel, traffic.LeadSource));
    }

    // Traffic that two rules match gets the earlier one's channel: each pair below matches both.
    [Theory]
    [InlineData("(direct)", "(none)", "cross-network", "Direct")]
    [InlineData("amazon", "cpc", "cross-network", "Cross-network")]
    [InlineData("google", "cpc", "shopping_feed", "Paid Shopping")]
    [InlineData("google", "cpm", null, "Paid Search")]
    [InlineData("facebook", "cpm", null, "Paid Social")]
    [InlineData("youtube", "cpm", null, "Paid Video")]
    [InlineData("acme", "cpm", null, "Display")]
    [InlineData("etsy", "social", null, "Organic Shopping")]
    [InlineData("facebook", "video", null, "Organic Social")]
    [InlineData("youtube", "organic", null, "Organic Video")]
    [InlineData("google", "referral", null, "Organic Search")]
    [InlineData("email", "referral", null, "Referral")]
    [InlineData("email", "affiliate", null, "Email")]
    [InlineData("sms", "affiliate", null, "Affiliates")]
    [InlineData("sms", "audio", null, "Audio")]
    [InlineData("sms", "push", null, "SMS")]
    public void The_first_matching_rule_wins(string source, string medium, string? campaign, string channel)
    {
        Assert.Equal(channel, Tags(source, medium, campaign).Channel);
    }

    [Fact]
    public void Matching_ignores_case_and_the_rules_follow_ga4s_order()
    {
        Assert.Equal("Paid Search", Tags("GOOGLE", "CPC").Channel);
        Assert.Equal("Organic Social", Tags("Facebook", "Social").Channel);
        Assert.Equal(
            ["Direct", "Cross-network", "Paid Shopping", "Paid Search", "Paid Social", "Paid Video", "Display", "Paid Other",
             "Organic Shopping", "Organic Social", "Organic Video", "Organic Search", "Referral", "Email", "Affiliates", "Audio", "SMS",
             "Mobile Push Notifications"],
            ChannelClassifier.Ga4Rules.Select(r => r.Channel));
    }

    [Theory]
    [InlineData("https://www.google.co.uk/", "google", "organic", "Organic Search")]
    [InlineData("https://google.de/search?q=roofers", "google", "organic", "Organic Search")]
    [InlineData("https://www.bing.com/search?q=plumber", "bing", "organic", "Organic Search")]
    [InlineData("https://search.yahoo.co.jp/search?p=x", "yahoo", "organic", "Organic Search")]
    [InlineData("https://l.facebook.com/l.php?u=x", "facebook", "referral", "Organic Social")]
    [InlineData("https://m.facebook.com/", "facebook", "referral", "Organic Social")]
    [InlineData("https://t.co/AbCdEf", "twitter", "referral", "Organic Social")]
    [InlineData("https://t.me/channel", "telegram", "referral", "Organic Social")]
    [InlineData("https://www.linkedin.com/feed/", "linkedin", "referral", "Organic Social")]
    [InlineData("https://www.youtube.com/watch?v=1", "youtube", "referral", "Organic Video")]
    [InlineData("https://www.amazon.de/dp/1", "amazon", "referral", "Organic Shopping")]
    [InlineData("https://mail.google.com/mail/u/0/", "gmail", "email", "Email")]
    [InlineData("https://outlook.live.com/mail/", "outlook", "email", "Email")]
    [InlineData("android-app://com.google.android.gm", "gmail", "email", "Email")]
    [InlineData("https://webmail.example.net/", "webmail.example.net", "email", "Email")]
    [InlineData("https://blog.partner.org/review", "blog.partner.org", "referral", "Referral")]
    [InlineData("https://www.partner.org/", "partner.org", "referral", "Referral")]
    public void Without_tags_the_referrer_decides(string referrer, string source, string medium, string channel)
    {
        var traffic = ChannelClassifier.Classify(new ChannelInput(ReferrerUrl: referrer, LandingUrl: "https://www.example.com/landing"));

        Assert.Equal((source, medium, channel), (traffic.Source, traffic.Medium, traffic.Channel));
        Assert.False(traffic.Internal);
    }

    [Theory]
    [InlineData("https://www.example.com/pricing", "https://www.example.com/contact")]
    [InlineData("https://example.com/pricing", "https://www.example.com/contact")]
    [InlineData("https://EXAMPLE.com/pricing", "https://example.com/contact")]
    [InlineData("http://example.com/pricing", "https://example.com/contact")]
    public void A_referrer_on_the_site_itself_is_internal_not_a_new_source(string referrer, string landing)
    {
        var traffic = ChannelClassifier.Classify(new ChannelInput(ReferrerUrl: referrer, LandingUrl: landing));

        Assert.True(traffic.Internal);
        Assert.Equal(("(direct)", "(none)", "Direct"), (traffic.Source, traffic.Medium, traffic.Channel));
    }

    [Fact]
    public void Another_subdomain_is_a_referral_and_no_referrer_is_direct_but_not_internal()
    {
        Assert.Equal("Referral", ChannelClassifier.Classify(new(ReferrerUrl: "https://blog.example.com/", LandingUrl: "https://shop.example.com/")).Channel);
        var direct = ChannelClassifier.Classify(new(LandingUrl: "https://shop.example.com/"));
        Assert.Equal("Direct", direct.Channel);
        Assert.False(direct.Internal);
    }

    [Theory]
    [InlineData("https://example.com/landing?gclid=Cj0KCQ", "gclid", "google", "cpc", "Paid Search")]
    [InlineData("https://example.com/?gbraid=1", "gbraid", "google", "cpc", "Paid Search")]
    [InlineData("https://example.com/?wbraid=1", "wbraid", "google", "cpc", "Paid Search")]
    [InlineData("https://example.com/landing?utm_x=1&msclkid=abc123", "msclkid", "bing", "cpc", "Paid Search")]
    [InlineData("https://example.com/?yclid=1", "yclid", "yandex", "cpc", "Paid Search")]
    [InlineData("https://example.com/?dclid=1", "dclid", "google", "display", "Display")]
    [InlineData("https://example.com/landing?fbclid=IwAR0", "fbclid", "facebook", "social", "Organic Social")]
    [InlineData("https://example.com/?a=b&ttclid=x", "ttclid", "tiktok", "paid", "Paid Social")]
    [InlineData("https://example.com/?li_fat_id=x", "li_fat_id", "linkedin", "paid", "Paid Social")]
    [InlineData("https://example.com/?twclid=x", "twclid", "twitter", "paid", "Paid Social")]
    [InlineData("https://example.com/?ScCid=x", "sccid", "snapchat", "paid", "Paid Social")]
    [InlineData("https://example.com/?epik=x", "epik", "pinterest", "paid", "Paid Social")]
    [InlineData("https://example.com/?GCLID", "gclid", "google", "cpc", "Paid Search")]
    public void Click_ids_decide_over_the_referrer(string landing, string clickId, string source, string medium, string channel)
    {
        // A search engine referrer would say organic search: the click id must take precedence over it.
        var traffic = ChannelClassifier.Classify(new ChannelInput(ReferrerUrl: "https://www.google.com/", LandingUrl: landing));

        Assert.Equal((clickId, source, medium, channel), (traffic.ClickId, traffic.Source, traffic.Medium, traffic.Channel));
    }

    [Fact]
    public void Fbclid_is_paid_social_when_the_tags_say_paid_and_organic_social_otherwise()
    {
        Assert.Equal("Paid Social", ChannelClassifier.Classify(new(Medium: "paid", LandingUrl: "https://example.com/?fbclid=x")).Channel);
        Assert.Equal("Paid Social", ChannelClassifier.Classify(new(LandingUrl: "https://example.com/?utm_medium=cpc&fbclid=x")).Channel);
        Assert.Equal("Organic Social", ChannelClassifier.Classify(new(LandingUrl: "https://example.com/?fbclid=x")).Channel);
    }

    [Theory]
    [InlineData("https://example.com/gclid/page")]
    [InlineData("https://example.com/?xgclid=1")]
    [InlineData("https://example.com/?q=gclid")]
    [InlineData("https://example.com/#gclid=1")]
    public void Something_that_only_looks_like_a_click_id_is_not_one(string landing)
    {
        var traffic = ChannelClassifier.Classify(new ChannelInput(ReferrerUrl: "https://blog.other.org/post", LandingUrl: landing));

        Assert.Null(traffic.ClickId);
        Assert.Equal("Referral", traffic.Channel);
    }

    [Fact]
    public void Tags_win_over_click_ids_and_the_referrer_and_are_read_from_the_landing_url_when_not_given()
    {
        var tagged = ChannelClassifier.Classify(new("mailchimp", "email", null, "https://www.google.com/", "https://shop.example.com/?gclid=abc"));
        Assert.Equal("Email", tagged.Channel);

        var fromUrl = ChannelClassifier.Classify(new(ReferrerUrl: "https://www.google.com/",
            LandingUrl: "https://shop.example.com/?utm_source=Newsletter%20Weekly&utm_medium=email&utm_campaign=spring+sale"));
        Assert.Equal(("newsletter weekly", "email", "spring sale", "Email"), (fromUrl.Source, fromUrl.Medium, fromUrl.Campaign, fromUrl.Channel));

        var blank = ChannelClassifier.Classify(new("  ", "\t", null, "https://www.bing.com/search?q=x", "https://example.com/"));
        Assert.Equal("Organic Search", blank.Channel);
    }

    [Fact]
    public void A_source_without_a_medium_has_medium_not_set_and_a_gclid_supplies_it()
    {
        Assert.Equal(("google", "(not set)"), (Tags("google", null).Source, Tags("google", null).Medium));
        var withClick = ChannelClassifier.Classify(new(Source: "google", LandingUrl: "https://example.com/?gclid=1"));
        Assert.Equal(("cpc", "Paid Search"), (withClick.Medium, withClick.Channel));
    }

    [Theory]
    [InlineData("www.google.co.uk", "google")]
    [InlineData("google.de", "google")]
    [InlineData("https://www.google.com.au/search", "google")]
    [InlineData("l.facebook.com", "facebook")]
    [InlineData("m.facebook.com", "facebook")]
    [InlineData("FB", "facebook")]
    [InlineData("t.co", "twitter")]
    [InlineData("x.com", "twitter")]
    [InlineData("lnkd.in", "linkedin")]
    [InlineData("youtu.be", "youtube")]
    [InlineData("mail.google.com", "gmail")]
    [InlineData("shopping.google.com", "google-shopping")]
    [InlineData("WWW.Bing.COM.", "bing")]
    [InlineData("Some Vendor", "some vendor")]
    [InlineData("www.unknown-site.org", "unknown-site.org")]
    public void Sources_are_normalised_to_one_name_per_site(string raw, string expected)
    {
        Assert.Equal(expected, SourceCatalog.Normalise(raw));
    }

    [Fact]
    public void The_catalogue_holds_a_few_hundred_sources_in_every_category()
    {
        Assert.InRange(SourceCatalog.Count, 200, 2000);
        foreach (var (name, category) in new[] { ("google", SourceCategory.Search), ("baidu", SourceCategory.Search), ("instagram", SourceCategory.Social),
            ("vk", SourceCategory.Social), ("youtube", SourceCategory.Video), ("bilibili", SourceCategory.Video), ("amazon", SourceCategory.Shopping),
            ("mercadolibre", SourceCategory.Shopping), ("gmail", SourceCategory.Email) })
        {
            Assert.Equal(category, SourceCatalog.CategoryOf(name));
        }
        Assert.Equal(SourceCategory.None, SourceCatalog.CategoryOf("acme"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/path")]
    [InlineData("://")]
    [InlineData("http://[::1")]
    [InlineData("http://exa mple.com/")]
    [InlineData("https://%zz%/")]
    [InlineData("https://\u0001\u0002/")]
    [InlineData("http://a..b/")]
    [InlineData("https://xn--/")]
    public void Unparseable_referrers_and_urls_are_classified_as_well_as_possible_without_throwing(string? url)
    {
        var traffic = ChannelClassifier.Classify(new ChannelInput(ReferrerUrl: url, LandingUrl: url));

        Assert.Contains(traffic.LeadSource, LeadSources.All);
        Assert.NotEmpty(traffic.Channel);
    }

    [Fact]
    public void Tenant_rules_run_before_the_defaults()
    {
        ChannelRule[] rules = [new("Newsletter", LeadSources.Email, f => f.Medium == "newsletter")];

        Assert.Equal(("Newsletter", "email"), (ChannelClassifier.Classify(new("mailchimp", "newsletter"), rules) is var t ? (t.Channel, t.LeadSource) : default));
        Assert.Equal("Paid Search", ChannelClassifier.Classify(new("google", "cpc"), rules).Channel);
    }

    [Theory]
    [InlineData("www.google.co.uk", "google")]
    [InlineData("google.de", "google")]
    [InlineData("www.google.com.au", "google")]
    [InlineData("t.co", "t")]
    [InlineData("localhost", "localhost")]
    [InlineData("", "")]
    public void SiteName_is_the_label_before_the_public_suffix(string host, string expected)
    {
        Assert.Equal(expected, SourceCatalog.SiteName(host));
    }

    [Theory]
    [InlineData("https://www.Example.com/a?b=c", "www.example.com")]
    [InlineData("http://example.com:8080/", "example.com")]
    [InlineData("HTTPS://WWW.Example.COM:8443?q=1", "www.example.com")]
    [InlineData("https://user:secret@example.com/", "example.com")]
    [InlineData("https://bücher.example/", "xn--bcher-kva.example")]
    [InlineData("http://[2001:db8::1]/", "2001:db8::1")]
    [InlineData("https://example.com:bad/", "example.com:bad")]
    [InlineData("android-app://com.google.android.gm/path", "com.google.android.gm")]
    [InlineData("not a url", null)]
    [InlineData(null, null)]
    public void HostOf_extracts_a_lowercase_host(string? url, string? expected)
    {
        Assert.Equal(expected, Urls.HostOf(url));
    }
}
