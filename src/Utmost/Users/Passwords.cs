using System.Globalization;
using System.Security.Cryptography;

namespace Utmost.Users;

/// <summary>
/// Password hashes: PBKDF2 with HMAC-SHA256, 600,000 iterations (OWASP's figure for it), a random 16-byte salt and a
/// 32-byte result, stored as <c>pbkdf2-sha256$iterations$salt$hash</c> (base64) so the cost can rise later.
/// </summary>
public static class Passwords
{
    public const int MinLength = 12;
    public const int MaxLength = 256;
    private const int Iterations = 600_000;
    private const string Scheme = "pbkdf2-sha256";

    // Checked when the address is unknown, so that a wrong address takes as long as a wrong password.
    private static readonly Lazy<string> Decoy = new(() => Hash("decoy password that opens nothing"));

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${Iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Whether <paramref name="password"/> is the one <paramref name="stored"/> was made from (null: compare against a decoy, false).</summary>
    public static bool Verify(string password, string? stored)
    {
        var parts = (stored ?? Decoy.Value).Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(parts[2]), iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected) && stored is not null;
    }
}
