using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Utmost.Core.Visitors;

/// <summary>
/// A visitor id for visitors without one, as privacy-first analytics tools count them: a hash of the day's salt,
/// the tenant, the IP address and the user agent. The salt is random, changes every UTC day and is deleted after
/// it, so an id lives one day and cannot be traced back to the address (nor to another tenant's visitor).
/// </summary>
public static class CookielessVisitorId
{
    public const string Prefix = "cl_";

    /// <summary>Null without an IP address: there is nothing to tell visitors apart by.</summary>
    public static string? For(ReadOnlySpan<byte> salt, string tenantId, string? ipAddress, string? userAgent)
    {
        if (string.IsNullOrEmpty(ipAddress))
        {
            return null;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(salt);
        // Length-prefixed parts, so "a"+"bc" and "ab"+"c" can never hash alike.
        foreach (var part in new[] { tenantId, ipAddress, userAgent ?? "" })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Prefix + Base64Url.EncodeToString(digest[..16]);
    }

    /// <summary>The UTC day a salt belongs to: days since 1970-01-01.</summary>
    public static long DayOf(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 86_400_000;
}
