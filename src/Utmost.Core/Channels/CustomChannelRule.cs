using System.Text.RegularExpressions;
using Utmost.Core.Common;
using Utmost.Core.Events;

namespace Utmost.Core.Channels;

/// <summary>
/// A tenant's own channel (Glamlink's MarketingChannel list): traffic whose source, medium and campaign match the
/// given patterns gets this channel, before GA4's defaults are tried. Patterns are case-insensitive regular
/// expressions that must match the whole value (<c>newsletter|digest</c>); a missing pattern matches anything,
/// but a rule needs at least one. Inactive rules are kept and skipped.
/// </summary>
public sealed record CustomChannelRule(
    string Name, string LeadSource, string? SourcePattern, string? MediumPattern, string? CampaignPattern, bool IsActive = true)
{
    public const int MaxNameLength = 64;
    public const int MaxPatternLength = 255;

    // Tenants write these patterns: the non-backtracking engine runs in time linear in the input, whatever the pattern.
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    /// <summary>Adds an error per bad field (named as in the API: name, lead_source, source_pattern, …).</summary>
    public void Validate(ValidationErrors errors, string prefix = "")
    {
        if (TextRules.Check(Name, MaxNameLength) is { } nameProblem)
        {
            errors.Add(prefix + "name", nameProblem);
        }
        else if (Name.Trim().Length == 0)
        {
            errors.Add(prefix + "name", "must not be blank");
        }
        if (!LeadSources.All.Contains(LeadSource))
        {
            errors.Add(prefix + "lead_source", $"must be one of: {string.Join(", ", LeadSources.All)}");
        }
        if (SourcePattern is null && MediumPattern is null && CampaignPattern is null)
        {
            errors.Add(prefix + "source_pattern", "give at least one of source_pattern, medium_pattern, campaign_pattern");
        }
        CheckPattern(SourcePattern, prefix + "source_pattern", errors);
        CheckPattern(MediumPattern, prefix + "medium_pattern", errors);
        CheckPattern(CampaignPattern, prefix + "campaign_pattern", errors);
    }

    /// <summary>The rule as a row of the channel table; call only on a valid rule.</summary>
    public ChannelRule ToChannelRule()
    {
        var source = Compile(SourcePattern);
        var medium = Compile(MediumPattern);
        var campaign = Compile(CampaignPattern);
        return new ChannelRule(Name, LeadSource, facts =>
            (source is null || source.IsMatch(facts.Source)) && (medium is null || medium.IsMatch(facts.Medium))
            && (campaign is null || campaign.IsMatch(facts.Campaign)));
    }

    /// <summary>The active rules of a tenant, in order, as channel table rows.</summary>
    public static IReadOnlyList<ChannelRule> Compile(IEnumerable<CustomChannelRule> rules) =>
        rules.Where(r => r.IsActive).Select(r => r.ToChannelRule()).ToArray();

    private static void CheckPattern(string? pattern, string field, ValidationErrors errors)
    {
        if (pattern is null)
        {
            return;
        }
        if (TextRules.Check(pattern, MaxPatternLength) is { } problem)
        {
            errors.Add(field, problem);
            return;
        }
        try
        {
            Compile(pattern);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // NotSupportedException: a construct the non-backtracking engine refuses (backreferences, lookarounds).
            errors.Add(field, $"must be a regular expression without backreferences or lookarounds ({e.Message})");
        }
    }

    private static Regex? Compile(string? pattern) => pattern is null ? null : new Regex($"^(?:{pattern})$", Options);
}
