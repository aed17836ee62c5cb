using Utmost.Core.Costs;

namespace Utmost.Tests.Core;

public sealed class ChannelPerformanceTests
{
    [Fact]
    public void Ratios_follow_their_definitions_and_stay_null_where_nothing_divides()
    {
        var search = new ChannelSpend("Paid Search");
        search.Add(30_000_000, clicks: 12, impressions: 600);
        search.Add(20_000_000, clicks: 8, impressions: null);
        search.Add(10_000_000, clicks: null, impressions: null);
        var free = new ChannelSpend("Email");
        free.Add(0, null, null);

        var (rows, total) = ChannelPerformance.Of(
            [new ChannelActivity("Paid Search", 40, 3, 1, 150_000_000), new ChannelActivity("Email", 0, 0.5, 0, 20_000_000),
             new ChannelActivity("Direct", 10, 0, 0, 0)],
            [search, free]);

        Assert.Equal(["Paid Search", "Email", "Direct"], rows.Select(r => r.Channel));
        var paid = rows[0];
        // Cost 60; sales 150: ROAS 2.5, ROI 1.5, CPA 20, AOV 50, conversion rate 3 / 40.
        Assert.Equal((60m, 2.5, 1.5, 20m, 50m, 7.5), (paid.Cost, paid.Roas, paid.Roi, paid.Cpa, paid.Aov, paid.ConversionRate));
        // CPC over the rows with clicks (50 for 20), CTR over the row with impressions (12 of 600).
        Assert.Equal((20L, 600L, 2.5m, 2.0), (paid.Clicks, paid.Impressions, paid.Cpc, paid.Ctr));
        Assert.Equal((2.0, 1.0), (paid.NewCustomerOrders, paid.ReturningCustomerOrders));
        // A free channel: no ROAS or CPA rather than a division by zero; no sessions, no conversion rate.
        Assert.Equal((0m, null, null, 0.0), (rows[1].Cost, rows[1].Roas, rows[1].Cpa, rows[1].ConversionRate));
        Assert.Equal((null, null, null), (rows[2].Cost, rows[2].Aov, rows[2].Cpc));

        Assert.Equal((50L, 3.5, 170m, 60m, 20L), (total.Sessions, total.Orders, total.Sales, total.Cost, total.Clicks));
        Assert.Equal((2.5m, 2.0), (total.Cpc, total.Ctr));
    }
}
