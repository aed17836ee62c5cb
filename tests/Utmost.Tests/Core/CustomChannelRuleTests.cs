using Utmost.Core.Channels;
using Utmost.Core.Common;
using Utmost.Core.Events;

namespace Utmost.Tests.Core;

public sealed class CustomChannelRuleTests
{
    [Fact]
    public void A_tenants_rules_run_before_the_defaults_in_order_and_inactive_ones_are_skipped()
    {
        var rules = CustomChannelRule.Compile(
        [
            new("Off", LeadSources.Other, "google", null, null, IsActive: false),
            new("Newsletter", LeadSources.Email, null, "newsletter|digest", null),
            new("Partner deals", LeadSources.Affiliate, "partner-.*", null, "deal_.*"),
            new("Second newsletter", LeadSources.Other, null, "newsletter", null),
        ]);

        TrafficSource Classify(string? source, string? medium, string? campaign = null) =>
            ChannelClassifier.Classify(new ChannelInput(source, medium, campaign), rules);

        Assert.Equal(("Newsletter", "email"), (Classify("mailchimp", "Newsletter").Channel, Classify("mailchimp", "Newsletter").LeadSource));
        Assert.Equal("Newsletter", Classify("acme", "DIGEST").Channel);
        Assert.Equal("Unassigned", Classify("acme", "newsletters").Channel); // whole value, not a part of it
        Assert.Equal("Partner deals", Classify("partner-acme", "referral", "Deal_Spring").Channel);
        Assert.Equal("Referral", Classify("partner-acme", "referral", "spring").Channel); // every given pattern must match
        Assert.Equal("Paid Search", Classify("google", "cpc").Channel); // the inactive rule is skipped
    }

    [Fact]
    public void Rules_match_the_normalised_source()
    {
        var rules = CustomChannelRule.Compile([new("Facebook", LeadSources.SocialMedia, "facebook", null, null)]);

        Assert.Equal("Facebook", ChannelClassifier.Classify(new ChannelInput("l.facebook.com", "cpc"), rules).Channel);
        Assert.Equal("Facebook", ChannelClassifier.Classify(new ChannelInput(ReferrerUrl: "https://m.facebook.com/"), rules).Channel);
    }

    [Theory]
    [InlineData("", "other", "x", "name")]
    [InlineData("   ", "other", "x", "name")]
    [InlineData("Ok", "newsletter", "x", "lead_source")]
    [InlineData("Ok", "other", null, "source_pattern")]
    [InlineData("Ok", "other", "(unclosed", "source_pattern")]
    [InlineData("Ok", "other", "(a)\\1", "source_pattern")]
    [InlineData("Ok", "other", "(?=look)ahead", "source_pattern")]
    public void Bad_rules_are_refused_naming_the_field(string name, string leadSource, string? sourcePattern, string field)
    {
        var errors = new ValidationErrors();

        new CustomChannelRule(name, leadSource, sourcePattern, null, null).Validate(errors);

        Assert.Contains(field, errors.ToDictionary().Keys);
    }

    [Fact]
    public void A_pattern_that_would_backtrack_forever_elsewhere_matches_in_linear_time_here()
    {
        var rules = CustomChannelRule.Compile([new("Evil", LeadSources.Other, "(a+)+b", null, null)]);
        var errors = new ValidationErrors();
        new CustomChannelRule("Evil", LeadSources.Other, "(a+)+b", null, null).Validate(errors);

        var traffic = ChannelClassifier.Classify(new ChannelInput(new string('a', 200) + "c", "x"), rules);

        Assert.True(errors.IsEmpty);
        Assert.Equal("Unassigned", traffic.Channel);
    }
}
