using Utmost.Core.Sessions;

namespace Utmost.Tests.Core;

public sealed class JourneysTests
{
    private static readonly long T0 = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private const long Hour = 3_600_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    private static Session SessionAt(long startHours, string channel, string visitor = "v1", double lengthHours = 0.25) => new()
    {
        TenantKey = 1, VisitorId = visitor, SessionId = $"s{startHours:D3}", StartedAt = T0 + startHours * Hour,
        EndedAt = T0 + startHours * Hour + (long)(lengthHours * Hour), TrafficKey = channel, Channel = channel, LeadSource = "direct",
        FirstEventType = "page_view", LandingPage = $"/landing/{startHours}",
    };

    private static Conversion ConversionAt(double hours, string? order = null, string id = "") =>
        new(id.Length > 0 ? id : $"c{hours}", T0 + (long)(hours * Hour), "purchase", "purchase", order, 1_000_000, "EUR", "v1");

    [Fact]
    public void Each_conversion_closes_a_journey_of_the_sessions_since_the_last_one()
    {
        Session[] sessions = [SessionAt(0, "Organic Search"), SessionAt(24, "Email", visitor: "v2"), SessionAt(48, "Paid Search"), SessionAt(72, "Direct"), SessionAt(96, "Referral")];

        var journeys = Journeys.Build(sessions, [ConversionAt(48.1), ConversionAt(72.2)], Timeout);

        Assert.Equal(3, journeys.Count);
        Assert.Equal(["Organic Search", "Email", "Paid Search"], journeys[0].Touchpoints.Select(t => t.Channel));
        Assert.Equal(("Organic Search", "Paid Search"), (journeys[0].FirstTouchChannel, journeys[0].LastTouchChannel));
        Assert.Equal((long)(48.1 * Hour), journeys[0].DurationMs);
        Assert.Equal(["Direct"], journeys[1].Touchpoints.Select(t => t.Channel));
        // The visit after the last conversion is an open journey.
        Assert.Null(journeys[2].Conversion);
        Assert.Equal(["Referral"], journeys[2].Touchpoints.Select(t => t.Channel));
        Assert.Equal(Hour / 4, journeys[2].DurationMs);
        Assert.Equal("v2", journeys[0].Touchpoints[1].VisitorId);
    }

    [Fact]
    public void A_second_conversion_in_the_same_visit_is_credited_to_that_visit_and_a_much_later_one_to_nothing()
    {
        var journeys = Journeys.Build([SessionAt(0, "Email")], [ConversionAt(0.1), ConversionAt(0.2), ConversionAt(0.7), ConversionAt(30)], Timeout);

        Assert.Equal(4, journeys.Count);
        Assert.All(journeys.Take(3), j => Assert.Equal("Email", Assert.Single(j.Touchpoints).Channel));
        // 30 hours later, with no visit before it since the last conversion: a journey without touchpoints.
        Assert.Empty(journeys[3].Touchpoints);
        Assert.Null(journeys[3].FirstTouchChannel);
    }

    [Fact]
    public void An_order_counts_once_whichever_conversion_carried_it_first()
    {
        var journeys = Journeys.Build([SessionAt(0, "Email")],
            [ConversionAt(0.2, order: "o-1", id: "late"), ConversionAt(0.1, order: "o-1", id: "early"), ConversionAt(0.15)], Timeout);

        Assert.Equal(["early", "c0.15"], journeys.Select(j => j.Conversion!.EventId));
    }

    [Fact]
    public void Nothing_gives_no_journeys()
    {
        Assert.Empty(Journeys.Build([], [], Timeout));
    }

    [Fact]
    public void Across_a_tenant_visitors_join_their_linked_person_or_their_user_id_and_server_side_orders_find_theirs()
    {
        Session[] sessions =
        [
            SessionAt(0, "Paid Search", visitor: "phone"),
            SessionAt(24, "Email", visitor: "laptop") with { UserId = "u-1" },
            SessionAt(30, "Organic Social", visitor: "tablet"),
            SessionAt(2, "Referral", visitor: "stranger"),
        ];
        Conversion[] conversions =
        [
            ConversionAt(24.1, id: "laptop-order") with { VisitorId = "laptop" },
            // Sent by the shop's backend minutes after the visit: no visitor, only the user id.
            ConversionAt(24.3, id: "backend-order") with { VisitorId = null, UserId = "u-1" },
            ConversionAt(40, id: "anonymous-order") with { VisitorId = null },
        ];
        var linked = new Dictionary<string, string> { ["phone"] = Journeys.PersonOfUser("u-1"), ["tablet"] = "email:a@example.com" };

        var journeys = Journeys.OfPeople(sessions, conversions, linked, Timeout);

        Assert.Equal(
            [
                ("event:anonymous-order", "anonymous-order", ""),
                ("user:u-1", "laptop-order", "Paid Search,Email"),
                ("user:u-1", "backend-order", "Email"),
                ("email:a@example.com", "", "Organic Social"),
                ("visitor:stranger", "", "Referral"),
            ],
            journeys.Select(j => (j.Person, j.Journey.Conversion?.EventId ?? "", string.Join(',', j.Journey.Touchpoints.Select(t => t.Channel))))
                .OrderBy(j => j.Person.StartsWith("event:") ? 0 : j.Person.StartsWith("user:") ? 1 : j.Person.StartsWith("email:") ? 2 : 3));
    }
}
