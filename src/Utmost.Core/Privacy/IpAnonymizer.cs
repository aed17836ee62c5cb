using System.Net;
using System.Net.Sockets;

namespace Utmost.Core.Privacy;

/// <summary>Makes a client address non-identifying before it is stored: IPv4 loses its last octet, IPv6 its last 80 bits.</summary>
public static class IpAnonymizer
{
    public static string? Anonymize(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes[3] = 0;
            return new IPAddress(bytes).ToString();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // Keep the first 48 bits (the routing prefix); 128 - 48 = 80 bits zeroed.
            Array.Clear(bytes, 6, 10);
            return new IPAddress(bytes).ToString();
        }
        return null;
    }

    public static string? Anonymize(string? text) =>
        text is not null && IPAddress.TryParse(text.Trim(), out var address) ? Anonymize(address) : null;
}
