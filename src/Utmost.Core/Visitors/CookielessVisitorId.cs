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
        // salt, then each part as a 4-byte length and its UTF-8 bytes (so "a"+"bc" and "ab"+"c" never hash alike),
        // hashed in one go from one buffer: this runs for every event without a visitor_id.
        string[] parts = [tenantId, ipAddress, userAgent ?? ""];
        var size = salt.Length;
        foreach (var part in parts)
        {
            size += 4 + Encoding.UTF8.GetMaxByteCount(part.Length);
        }
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var input = rented.AsSpan();
            salt.CopyTo(input);
            var written = salt.Length;
            foreach (var part in parts)
            {
                var length = Encoding.UTF8.GetBytes(part, input[(written + 4)..]);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(input[written..], length);
                written += 4 + length;
            }
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(input[..written], digest);
            return Prefix + Base64Url.EncodeToString(digest[..16]);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The UTC day a salt belongs to: days since 1970-01-01.</summary>
    public static long DayOf(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 86_400_000;
}
