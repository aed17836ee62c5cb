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

    public EventSettings Events { get; set; } = new();

    public SessionSettings Sessions { get; set; } = new();

    public AttributionSettings Attribution { get; set; } = new();

    public QuerySettings Query { get; set; } = new();

    public sealed class QuerySettings
    {
        /// <summary>How long one analytics query may run before it is stopped with a 503.</summary>
        [Range(1, 600)]
        public int TimeoutSeconds { get; set; } = 15;

        /// <summary>How long an answer is served again to the same tenant's same query, unless new events came in first (0 turns it off).</summary>
        [Range(0, 3600)]
        public int CacheSeconds { get; set; } = 10;

        /// <summary>Whether queries by traffic source and day read the visit rollup rather than every visit (see Query/VisitRollups.cs).</summary>
        public bool VisitRollup { get; set; } = true;

        /// <summary>Whether funnel reports over whole days without a breakdown read the funnel days (see Funnels/FunnelDays.cs).</summary>
        public bool FunnelDays { get; set; } = true;

        /// <summary>About how many events a funnel's build reads into memory at once (the visitors are split into parts of this size).</summary>
        [Range(1, 100_000_000)]
        public long FunnelBuildEventsPerRead { get; set; } = 1_000_000;
    }

    public sealed class AttributionSettings
    {
        /// <summary>Lookback before each conversion for the stored credits (Glamlink's ATTRIBUTION_WINDOW_DAYS).</summary>
        [Range(1, 365)]
        public int WindowDays { get; set; } = 30;

        /// <summary>How often the stored credits of recent conversions are recomputed; 0 leaves it to the recompute API.</summary>
        [Range(0, 1440)]
        public int RecomputeMinutes { get; set; } = 15;

        /// <summary>How far back each recomputation reaches: late events and identities change recent journeys.</summary>
        [Range(1, 365)]
        public int RecomputeDays { get; set; } = 30;
    }

    public sealed class SessionSettings
    {
        /// <summary>
        /// Minutes without events after which a visitor's session ends (30, as in GA4 and Plausible). A change
        /// applies to sessions built from then on; sessions already built keep the timeout they were built with.
        /// </summary>
        [Range(1, 1440)]
        public int TimeoutMinutes { get; set; } = 30;
    }

    public class StorageSettings
    {
        /// <summary>A storage provider key; see <see cref="StorageProviders"/>.</summary>
        public string Provider { get; set; } = StorageProviders.Sqlite;
    }

    public sealed class EventSettings : StorageSettings
    {
        /// <summary>With ClickHouse: how many acknowledged events may wait in the local spool before ingestion answers 503.</summary>
        [Range(1_000, 1_000_000_000)]
        public long SpoolLimit { get; set; } = 5_000_000;

        /// <summary>
        /// A ClickHouse cluster name from the servers' <c>remote_servers</c>: events then live in per-shard tables
        /// behind a Distributed table, sharded by event id. Empty: one server.
        /// </summary>
        [RegularExpression("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
        public string? Cluster { get; set; }

        /// <summary>Keep this many whole months of events besides the current one; 0 keeps everything (the default).</summary>
        [Range(0, 1200)]
        public int RetentionMonths { get; set; }

        /// <summary>With a cluster: the HTTP address of every shard, where the schema is created (there is no ON CLUSTER without ZooKeeper).</summary>
        public string[] ClusterNodes { get; set; } = [];
    }
}

/// <summary>The storage providers by key. SQLite is the default when nothing is configured.</summary>
public static class StorageProviders
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static readonly IReadOnlyList<string> Operational = [Sqlite, Postgres];

    public const string ClickHouse = "clickhouse";

    public static readonly IReadOnlyList<string> Events = [Sqlite, ClickHouse];
}
