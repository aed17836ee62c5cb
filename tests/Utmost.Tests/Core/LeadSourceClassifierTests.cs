using Utmost.Core.Events;

namespace Utmost.Tests.Core;

public sealed class LeadSourceClassifierTests
{
    [Theory]
    [InlineData("google", "cpc", "paid_search")]
    [InlineData("bing", "ppc", "paid_search")]
    [InlineData("google", "paid_search", "paid_search")]
    [InlineData("newsletter_vendor", "PAIDsearch", "paid_search")]
    [InlineData("google", "CPC", "paid_search")]
    [InlineData("adroll", "retargeting", "paid_search")]
    [InlineData("google", "display", "display_ads")]
    [InlineData("doubleclick", "banner", "display_ads")]
    [InlineData("doubleclick", "cpm", "display_ads")]
    [InlineData("facebook", "cpc", "social_media")]
    [InlineData("facebook", "paid", "social_media")]
    [InlineData("linkedin", "ppc", "social_media")]
    [InlineData("l.facebook.com", "cpc", "social_media")]
    [InlineData("acme", "paid_social", "social_media")]
    [InlineData("mailchimp", "email", "email")]
    [InlineData("mailchimp", "Newsletter", "email")]
    [InlineData("weekly_newsletter", "", "email")]
    [InlineData("email", "", "email")]
    [InlineData("awin", "affiliate", "affiliate")]
    [InlineData("partnerco", "partners", "affiliate")]
    [InlineData("google", "organic", "organic_search")]
    [InlineData("bing", "", "organic_search")]
    [InlineData("duckduckgo", "", "organic_search")]
    [InlineData("google.com", "", "organic_search")]
    [InlineData("www.google.co.uk", "", "organic_search")]
    [InlineData("somewhere", "organic", "organic_search")]
    [InlineData("acme", "social", "social_media")]
    [InlineData("acme", "social-network", "social_media")]
    [InlineData("facebook", "", "social_media")]
    [InlineData("instagram", "", "social_media")]
    [InlineData("twitter", "post", "social_media")]
    [InlineData("blog.example.org", "referral", "referral")]
    [InlineData("example", "referral", "referral")]
    [InlineData("(direct)", "(none)", "direct")]
    [InlineData("acme", "flyer", "other")]
    [InlineData("qr_code", "", "other")]
    [InlineData("", "print", "other")]
    public void Campaign_tags_decide_the_source(string source, string medium, string expected)
    {
        Assert.Equal(expected, LeadSourceClassifier.Classify(source, medium, null, null));
    }

    [Fact]
    public void Campaign_tags_win_over_click_ids_and_referrer()
    {
        var source = LeadSourceClassifier.Classify(
            "mailchimp", "email", "https://www.google.com/", "https://shop.example.com/?gclid=abc");

        Assert.Equal(LeadSources.Email, source);
    }

    [Fact]
    public void Whitespace_only_tags_are_treated_as_absent()
    {
        var source = LeadSourceClassifier.Classify("  ", "\t", "https://www.bing.com/search?q=x", "https://example.com/");

        Assert.Equal(LeadSources.OrganicSearch, source);
    }

    [Theory]
    [InlineData("https://example.com/landing?gclid=Cj0KCQ", "paid_search")]
    [InlineData("https://example.com/landing?utm_x=1&msclkid=abc123", "paid_search")]
    [InlineData("https://example.com/?gbraid=1", "paid_search")]
    [InlineData("https://example.com/landing?fbclid=IwAR0", "social_media")]
    [InlineData("https://example.com/?a=b&ttclid=x", "social_media")]
    [InlineData("https://example.com/?gclid", "paid_search")]
    public void Click_ids_on_the_landing_url_decide_the_source(string pageUrl, string expected)
    {
        // A search-engine referrer would say organic: the click id must take precedence over it.
        Assert.Equal(expected, LeadSourceClassifier.Classify(null, null, "https://www.google.com/", pageUrl));
    }

    [Theory]
    [InlineData("https://example.com/gclid/page")]
    [InlineData("https://example.com/?xgclid=1")]
    [InlineData("https://example.com/?q=gclid")]
    [InlineData("https://example.com/")]
    public void Something_that_only_looks_like_a_click_id_is_not_one(string pageUrl)
    {
        Assert.Equal(LeadSources.Referral, LeadSourceClassifier.Classify(null, null, "https://blog.other.org/post", pageUrl));
    }

    [Theory]
    [InlineData("https://www.google.co.uk/", "organic_search")]
    [InlineData("https://google.de/search?q=roofers", "organic_search")]
    [InlineData("https://www.bing.com/search?q=plumber", "organic_search")]
    [InlineData("https://duckduckgo.com/", "organic_search")]
    [InlineData("https://l.facebook.com/l.php?u=x", "social_media")]
    [InlineData("https://t.co/AbCdEf", "social_media")]
    [InlineData("https://www.linkedin.com/feed/", "social_media")]
    [InlineData("https://mail.google.com/mail/u/0/", "email")]
    [InlineData("https://outlook.live.com/mail/", "email")]
    [InlineData("https://webmail.example.net/", "email")]
    [InlineData("https://blog.partner.org/review", "referral")]
    [InlineData("https://news.ycombinator.com/item?id=1", "referral")]
    public void The_referrer_decides_when_nothing_else_does(string referrer, string expected)
    {
        Assert.Equal(expected, LeadSourceClassifier.Classify(null, null, referrer, "https://www.example.com/landing"));
    }

    [Theory]
    [InlineData("https://www.example.com/pricing", "https://www.example.com/contact")]
    [InlineData("https://example.com/pricing", "https://www.example.com/contact")]
    [InlineData("https://www.example.com/pricing", "https://example.com/contact")]
    [InlineData("https://EXAMPLE.com/pricing", "https://example.com/contact")]
    [InlineData("http://example.com/pricing", "https://example.com/contact")]
    public void A_referrer_on_the_same_site_is_direct(string referrer, string pageUrl)
    {
        Assert.Equal(LeadSources.Direct, LeadSourceClassifier.Classify(null, null, referrer, pageUrl));
    }

    [Fact]
    public void A_referrer_on_a_different_subdomain_is_a_referral()
    {
        var source = LeadSourceClassifier.Classify(null, null, "https://blog.example.com/post", "https://shop.example.com/");

        Assert.Equal(LeadSources.Referral, source);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not a url")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative/path")]
    [InlineData("://")]
    [InlineData("http://")]
    public void No_usable_referrer_is_direct(string? referrer)
    {
        Assert.Equal(LeadSources.Direct, LeadSourceClassifier.Classify(null, null, referrer, "https://example.com/"));
    }

    [Theory]
    [InlineData("http://[::1")]
    [InlineData("http://exa mple.com/")]
    [InlineData("https://%zz%/")]
    [InlineData("https://\u0001\u0002/")]
    [InlineData("http://a..b/")]
    [InlineData("ht!tp://weird/")]
    [InlineData("https://xn--/")]
    [InlineData("https://exa%mple.com/")]
    public void An_unparseable_referrer_does_not_throw(string referrer)
    {
        var source = LeadSourceClassifier.Classify(null, null, referrer, "https://example.com/");

        Assert.Contains(source, LeadSources.All);
    }

    [Theory]
    [InlineData("www.google.co.uk", "google")]
    [InlineData("google.co.uk", "google")]
    [InlineData("google.de", "google")]
    [InlineData("www.google.com.au", "google")]
    [InlineData("l.facebook.com", "facebook")]
    [InlineData("m.facebook.com", "facebook")]
    [InlineData("t.co", "t")]
    [InlineData("www.bing.com", "bing")]
    [InlineData("WWW.Bing.COM.", "bing")]
    [InlineData("localhost", "localhost")]
    [InlineData("", "")]
    public void SiteName_is_the_label_before_the_public_suffix(string host, string expected)
    {
        Assert.Equal(expected, KnownSources.SiteName(host));
    }

    [Theory]
    [InlineData("https://www.Example.com/a?b=c", "www.example.com")]
    [InlineData("http://example.com:8080/", "example.com")]
    [InlineData("android-app://com.google.android.gm/path", "com.google.android.gm")]
    [InlineData("not a url", null)]
    [InlineData(null, null)]
    public void HostOf_extracts_a_lowercase_host(string? url, string? expected)
    {
        Assert.Equal(expected, LeadSourceClassifier.HostOf(url));
    }
}
