using System.Text;
using Utmost.Core.Visitors;

namespace Utmost.Tests.Core;

public sealed class CookielessVisitorIdTests
{
    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly byte[] OtherSalt = Encoding.ASCII.GetBytes("fedcba9876543210fedcba9876543210");

    [Fact]
    public void One_visitor_gets_one_id_per_day_and_tenant_and_nothing_else_collides()
    {
        var id = CookielessVisitorId.For(Salt, "t1", "203.0.113.7", "Mozilla/5.0");

        Assert.StartsWith(CookielessVisitorId.Prefix, id);
        Assert.Equal(id, CookielessVisitorId.For(Salt, "t1", "203.0.113.7", "Mozilla/5.0"));
        string?[] others =
        [
            CookielessVisitorId.For(OtherSalt, "t1", "203.0.113.7", "Mozilla/5.0"), // the next day
            CookielessVisitorId.For(Salt, "t2", "203.0.113.7", "Mozilla/5.0"), // another tenant
            CookielessVisitorId.For(Salt, "t1", "203.0.113.8", "Mozilla/5.0"), // another address
            CookielessVisitorId.For(Salt, "t1", "203.0.113.7", "Mozilla/5.1"), // another browser
            CookielessVisitorId.For(Salt, "t1203.0.113.7", "", "Mozilla/5.0"), // the same characters, split elsewhere
        ];
        Assert.DoesNotContain(id, others);
        Assert.Equal(others.Length, others.Distinct().Count());
        Assert.DoesNotContain("203.0.113.7", id);
    }

    [Fact]
    public void Without_an_address_there_is_no_id_and_days_are_utc_days()
    {
        Assert.Null(CookielessVisitorId.For(Salt, "t1", null, "Mozilla/5.0"));
        Assert.Equal(20_000, CookielessVisitorId.DayOf(new DateTimeOffset(2024, 10, 4, 23, 59, 59, TimeSpan.Zero)));
        // One in the morning in Berlin is still the day before in UTC.
        Assert.Equal(20_000, CookielessVisitorId.DayOf(new DateTimeOffset(2024, 10, 5, 1, 0, 0, TimeSpan.FromHours(2))));
    }
}
