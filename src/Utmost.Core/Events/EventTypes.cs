using System.Text.RegularExpressions;

namespace Utmost.Core.Events;

/// <summary>The nine event types of the AEON module; tenants may also send custom types in snake_case.</summary>
public static partial class EventTypes
{
    public const string PageView = "page_view";
    public const string LeadCreated = "lead_created";

    public static readonly IReadOnlyList<string> Documented =
    [
        PageView, "button_click", "form_submit", LeadCreated, "quote_requested",
        "job_created", "phone_call", "email_sent", "chat_started",
    ];

    /// <summary>Conversion goals of a new tenant.</summary>
    public static readonly IReadOnlyList<string> DefaultConversionGoals = ["quote_requested", "job_created", "purchase"];

    // \z, not $: in .NET $ also matches before a final "\n", which would let "page_view\n" through.
    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex CustomTypePattern();

    public static bool IsValid(string eventType) => CustomTypePattern().IsMatch(eventType);
}
