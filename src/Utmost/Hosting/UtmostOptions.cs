using System.ComponentModel.DataAnnotations;

namespace Utmost.Hosting;

/// <summary>The <c>Utmost</c> configuration section (appsettings.json, <c>Utmost__X</c> variables, <c>--Utmost:X=</c>).</summary>
public sealed class UtmostOptions
{
    public const string Section = "Utmost";

    /// <summary>Where the embedded database lives.</summary>
    [Required]
    public string DataDir { get; set; } = "./data";

    /// <summary>On first start, adopted as the default tenant's admin key (for unattended installs).</summary>
    [MinLength(24)]
    public string? AdminKey { get; set; }

    /// <summary>Proxies (IP addresses or CIDR networks) whose X-Forwarded-For header is believed.</summary>
    public string[] TrustedProxies { get; set; } = [];

    public StorageSettings Storage { get; set; } = new();

    public StorageSettings Events { get; set; } = new();

    public sealed class StorageSettings
    {
        /// <summary>A storage provider key; see <see cref="StorageProviders"/>.</summary>
        public string Provider { get; set; } = StorageProviders.Sqlite;
    }
}

/// <summary>The storage providers by key. SQLite is the default when nothing is configured.</summary>
public static class StorageProviders
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static readonly IReadOnlyList<string> Operational = [Sqlite, Postgres];

    public static readonly IReadOnlyList<string> Events = [Sqlite];
}
