namespace Utmost.Tenancy;

/// <summary>One customer of this Utmost installation; every row of every table belongs to exactly one.</summary>
/// <param name="Key">A small internal number, unique per installation, that event rows carry; never shown in the API.</param>
public sealed record Tenant(
    long Key,
    string Id,
    string Slug,
    string Name,
    string SiteKey,
    string TimeZone,
    IReadOnlyList<string> ConversionGoals,
    DateTimeOffset CreatedAt)
{
    /// <summary>The tenant's own channel rules, tried in order before GA4's defaults.</summary>
    public IReadOnlyList<Core.Channels.CustomChannelRule> ChannelRules { get; init; } = [];

    /// <summary>Whether visitors that send no visitor_id get a daily cookieless id (on by default).</summary>
    public bool CookielessVisitors { get; init; } = true;

    /// <summary>
    /// The web origins (<c>https://shop.example</c>) whose pages may send events; none: every origin may. Browsers name
    /// the page's origin in each request, so a site key copied onto another site is refused there.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    private readonly IReadOnlyList<Core.Conversions.Goal>? _goals;

    /// <summary>The conversion goals in full (property filters included); by default one per event type of <see cref="ConversionGoals"/>.</summary>
    public IReadOnlyList<Core.Conversions.Goal> Goals
    {
        get => _goals ?? ConversionGoals.Select(Core.Conversions.Goal.ForEventType).ToArray();
        init => _goals = value;
    }

    /// <summary>This tenant with <paramref name="goals"/>, and their event types as <see cref="ConversionGoals"/>.</summary>
    public Tenant WithGoals(IReadOnlyList<Core.Conversions.Goal> goals) =>
        this with { Goals = goals, ConversionGoals = goals.Select(g => g.EventType).Distinct().ToArray() };
}

/// <summary>What a key may do. Admin ⊃ marketer ⊃ viewer; ingest keys only send events.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Marketer = "marketer";
    public const string Viewer = "viewer";
    public const string Ingest = "ingest";

    public static readonly IReadOnlyList<string> All = [Admin, Marketer, Viewer, Ingest];

    public static bool CanRead(string role) => role is Admin or Marketer or Viewer;

    public static bool CanWrite(string role) => role is Admin or Marketer;

    public static bool CanIngest(string role) => role is Admin or Marketer or Ingest;
}
