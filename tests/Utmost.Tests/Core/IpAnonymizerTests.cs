using System.Net;
using Utmost.Core.Privacy;

namespace Utmost.Tests.Core;

public sealed class IpAnonymizerTests
{
    [Theory]
    [InlineData("192.168.1.254", "192.168.1.0")]
    [InlineData("203.0.113.7", "203.0.113.0")]
    [InlineData("8.8.8.8", "8.8.8.0")]
    [InlineData("10.0.0.0", "10.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.0")]
    [InlineData("  198.51.100.42 ", "198.51.100.0")]
    public void IPv4_loses_its_last_octet(string input, string expected)
    {
        Assert.Equal(expected, IpAnonymizer.Anonymize(input));
    }

    [Theory]
    // The first 48 bits (three groups) survive; the other 80 are zero.
    [InlineData("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::")]
    [InlineData("2001:0db8:85a3:ffff:ffff:ffff:ffff:ffff", "2001:db8:85a3::")]
    [InlineData("2a00:1450:4001:81c::200e", "2a00:1450:4001::")]
    [InlineData("2001:db8::1", "2001:db8::")]
    [InlineData("::1", "::")]
    [InlineData("fe80::1ff:fe23:4567:890a%3", "fe80::")]
    public void IPv6_loses_its_last_80_bits(string input, string expected)
    {
        Assert.Equal(expected, IpAnonymizer.Anonymize(input));
    }

    [Theory]
    [InlineData("::ffff:203.0.113.77", "203.0.113.0")]
    [InlineData("::ffff:c000:0280", "192.0.2.0")]
    public void An_IPv4_mapped_IPv6_address_is_treated_as_IPv4(string input, string expected)
    {
        Assert.Equal(expected, IpAnonymizer.Anonymize(input));
    }

    [Fact]
    public void The_address_overload_gives_the_same_result()
    {
        Assert.Equal("192.0.2.0", IpAnonymizer.Anonymize(IPAddress.Parse("192.0.2.99")));
        Assert.Equal("2001:db8:85a3::", IpAnonymizer.Anonymize(IPAddress.Parse("2001:db8:85a3:8d3:1319:8a2e:370:7348")));
    }

    [Fact]
    public void The_anonymized_IPv6_address_keeps_exactly_48_bits()
    {
        var original = IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

        var bytes = IPAddress.Parse(IpAnonymizer.Anonymize(original)!).GetAddressBytes();

        Assert.Equal([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bytes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not an ip")]
    [InlineData("999.1.1.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("2001:db8::g")]
    [InlineData("2001:db8:::1")]
    [InlineData("192.168.1.1/24")]
    public void Garbage_gives_null(string? input)
    {
        Assert.Null(IpAnonymizer.Anonymize(input));
    }

    [Fact]
    public void A_null_address_gives_null()
    {
        Assert.Null(IpAnonymizer.Anonymize((IPAddress?)null));
    }
}
