using System.Security.Cryptography;
using System.Text;

namespace Utmost.Tenancy;

/// <summary>
/// API keys and site keys. API keys carry 238 bits of randomness, so a plain SHA-256 is a safe way to store
/// them (a slow KDF is for low-entropy passwords); the hash lets a request find its key in one indexed lookup.
/// </summary>
public static class Secrets
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const string ApiKeyPrefix = "utm_";
    public const int MinimumSuppliedKeyLength = 24;

    public static string NewApiKey() => ApiKeyPrefix + RandomString(40);

    public static string NewSiteKey() => "site_" + RandomString(20);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The first characters of a key, kept readable so operators can tell keys apart.</summary>
    public static string Prefix(string key) => key.Length <= 10 ? key : key[..10];

    private static string RandomString(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
