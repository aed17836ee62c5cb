using Microsoft.Extensions.Options;
using Npgsql;
using Utmost.Attribution;
using Utmost.Campaigns;
using Utmost.Costs;
using Utmost.Events;
using Utmost.Identity;
using Utmost.Metrics;
using Utmost.Sessions;
using Utmost.Storage;
using Utmost.Storage.ClickHouse;
using Utmost.Storage.Postgres;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Hosting;

/// <summary>Chooses the storage engines named in configuration; an unknown key fails at start-up listing the valid ones.</summary>
public static class StorageRegistration
{
    public const string OperationalConnectionString = "Utmost";

    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(UtmostOptions.Section).Get<UtmostOptions>() ?? new UtmostOptions();
        Require("Utmost:Storage:Provider", options.Storage.Provider, StorageProviders.Operational);
        Require("Utmost:Events:Provider", options.Events.Provider, StorageProviders.Events);
        var services = builder.Services;
        // First of all hosted services: the schema is up to date (or start-up fails with one clear line) before any
        // background worker touches storage.
        services.AddHostedService<StorageInitializer>();

        // The embedded database always exists: it holds the events (today's only event store) and is the default
        // operational store.
        services.AddSingleton(provider => new SqliteDatabase(provider.GetRequiredService<IOptions<UtmostOptions>>().Value.DataDir));
        services.AddSingleton<SqliteMigrator>();
        services.AddSingleton<ISchemaMigrator>(provider => provider.GetRequiredService<SqliteMigrator>());
        services.AddSingleton(provider => new SessionsDatabase(provider.GetRequiredService<IOptions<UtmostOptions>>().Value.DataDir));
        services.AddSingleton<ISchemaMigrator>(provider => new SqliteMigrator(provider.GetRequiredService<SessionsDatabase>().Database,
            provider.GetRequiredService<TimeProvider>(), "SqliteSessions"));
        var clickHouseEvents = options.Events.Provider == StorageProviders.ClickHouse;
        services.AddSingleton<ISchemaMigrator>(provider => new SqliteEventIndexes(provider.GetRequiredService<SqliteDatabase>(), forSpool: clickHouseEvents));
        services.AddHostedService<SqliteCheckpointer>();
        // The embedded store keeps its rollups as it appends; as ClickHouse's spool, the shipper rolls up instead.
        services.AddSingleton<SessionFeed>();
        services.AddSingleton(provider => new SqliteEventAppender(provider.GetRequiredService<SqliteDatabase>(), keepRollups: !clickHouseEvents,
            provider.GetRequiredService<SessionFeed>()));
        services.AddHostedService<EventRetention>();
        if (clickHouseEvents)
        {
            AddClickHouseEvents(builder);
        }
        else
        {
            services.AddSingleton<IEventStore, SqliteEventStore>();
            services.AddSingleton<IMarketingAnalytics, SqliteMarketingAnalytics>();
            services.AddSingleton<ISessionStore, SqliteSessionStore>();
            services.AddSingleton<Query.IQueryEngine, Query.SqliteQueryEngine>();
            services.AddSingleton<Query.IVisitRollupStore, Query.SqliteVisitRollupStore>();
            services.AddSingleton<Funnels.IFunnelDayStore, Funnels.SqliteFunnelDayStore>();
        }
        services.AddSingleton(provider => new SessionBuilder(provider.GetRequiredService<SqliteDatabase>(),
            provider.GetRequiredService<SessionsDatabase>(), provider.GetRequiredService<ISessionStore>(),
            provider.GetRequiredService<ISessionBuildLock>(), provider.GetRequiredService<TenantDirectory>(),
            provider.GetRequiredService<IOptions<UtmostOptions>>(), provider.GetRequiredService<SessionFeed>(),
            provider.GetRequiredService<ILogger<SessionBuilder>>(), provider.GetService<ClickHouseShipper>(),
            provider.GetRequiredService<Query.AnalyticsCache>(), provider.GetRequiredService<Query.VisitRollups>(),
            provider.GetRequiredService<Funnels.FunnelDays>()));
        services.AddHostedService(provider => provider.GetRequiredService<SessionBuilder>());
        services.AddSingleton<Query.VisitRollups>();
        services.AddHostedService(provider => provider.GetRequiredService<Query.VisitRollups>());
        services.AddSingleton<Funnels.FunnelDays>();
        services.AddHostedService(provider => provider.GetRequiredService<Funnels.FunnelDays>());
        services.AddSingleton<AttributionDataSource>();
        services.AddSingleton<Query.AnalyticsCache>();
        services.AddSingleton<Query.QueryRunner>();
        services.AddSingleton<Funnels.FunnelReporter>();
        services.AddSingleton<CreditRecompute>();
        services.AddHostedService(provider => provider.GetRequiredService<CreditRecompute>());

        if (options.Storage.Provider == StorageProviders.Postgres)
        {
            var connectionString = builder.Configuration.GetConnectionString(OperationalConnectionString);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new OptionsValidationException($"ConnectionStrings:{OperationalConnectionString}", typeof(UtmostOptions),
                    [$"Utmost:Storage:Provider is 'postgres' but ConnectionStrings:{OperationalConnectionString} is empty; " +
                     "give it in Npgsql form, e.g. Host=127.0.0.1;Port=5432;Database=utmost;Username=utmost"]);
            }
            services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
            services.AddSingleton<PostgresMigrator>();
            services.AddSingleton<ISchemaMigrator>(provider => provider.GetRequiredService<PostgresMigrator>());
            services.AddSingleton<ITenantStore, PostgresTenantStore>();
            services.AddSingleton<ICampaignStore, PostgresCampaignStore>();
            services.AddSingleton<ICostStore, PostgresCostStore>();
            services.AddSingleton<ICreditStore, PostgresCreditStore>();
            services.AddSingleton<IIdentityStore, PostgresIdentityStore>();
            services.AddSingleton<ISessionBuildLock, PostgresSessionBuildLock>();
            services.AddSingleton(provider => new Funnels.FunnelStore(async cancellationToken =>
                await provider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken)));
            services.AddSingleton(provider => new Users.UserStore(async cancellationToken =>
                await provider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken)));
        }
        else
        {
            services.AddSingleton<ISessionBuildLock, InProcessSessionBuildLock>();
            services.AddSingleton<ITenantStore, SqliteTenantStore>();
            services.AddSingleton<ICampaignStore, SqliteCampaignStore>();
            services.AddSingleton<ICostStore, SqliteCostStore>();
            services.AddSingleton<ICreditStore, SqliteCreditStore>();
            services.AddSingleton<IIdentityStore, SqliteIdentityStore>();
            services.AddSingleton(provider => new Funnels.FunnelStore(async cancellationToken =>
                await provider.GetRequiredService<SqliteDatabase>().OpenAsync(cancellationToken)));
            services.AddSingleton(provider => new Users.UserStore(async cancellationToken =>
                await provider.GetRequiredService<SqliteDatabase>().OpenAsync(cancellationToken)));
        }
        return builder;
    }

    /// <summary>
    /// Events in ClickHouse, acknowledged from the local SQLite spool (the same table the embedded store uses)
    /// and shipped in the background, exactly once.
    /// </summary>
    private static void AddClickHouseEvents(IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ClickHouseConnection.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException($"ConnectionStrings:{ClickHouseConnection.ConnectionStringName}", typeof(UtmostOptions),
                [$"Utmost:Events:Provider is 'clickhouse' but ConnectionStrings:{ClickHouseConnection.ConnectionStringName} is empty; " +
                 "give ClickHouse's HTTP address, e.g. http://127.0.0.1:8123/?database=utmost"]);
        }
        ClickHouseConnection connection;
        try
        {
            connection = ClickHouseConnection.Parse(connectionString);
        }
        catch (FormatException e)
        {
            throw new OptionsValidationException($"ConnectionStrings:{ClickHouseConnection.ConnectionStringName}", typeof(UtmostOptions), [e.Message]);
        }
        var events = (builder.Configuration.GetSection(UtmostOptions.Section).Get<UtmostOptions>() ?? new UtmostOptions()).Events;
        var cluster = string.IsNullOrWhiteSpace(events.Cluster) ? null : events.Cluster;
        if (cluster is not null && events.ClusterNodes.Length == 0)
        {
            throw new OptionsValidationException("Utmost:Events:ClusterNodes", typeof(UtmostOptions),
                ["Utmost:Events:Cluster is set, so Utmost:Events:ClusterNodes must list the HTTP address of every shard (for creating the schema)."]);
        }
        var services = builder.Services;
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(60) };
        services.AddSingleton(connection);
        services.AddSingleton(new ClickHouseClient(http, connection));
        // Every shard's schema is created through its own address; queries go to the configured node only.
        var nodes = cluster is null
            ? [connection]
            : events.ClusterNodes.Select(node => ClickHouseConnection.Parse(node) with { Database = connection.Database }).ToArray();
        // Upgrading a big store (merging it, rolling it up) can take minutes: migrations get a patient client.
        var migrationHttp = new HttpClient { Timeout = TimeSpan.FromHours(2) };
        services.AddSingleton(provider => new ClickHouseMigrator(nodes.Select(n => new ClickHouseClient(migrationHttp, n)).ToArray(), cluster,
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISchemaMigrator>(provider => provider.GetRequiredService<ClickHouseMigrator>());
        services.AddSingleton<ClickHouseShipper>();
        services.AddHostedService(provider => provider.GetRequiredService<ClickHouseShipper>());
        services.AddSingleton<SqliteEventStore>();
        services.AddSingleton<IEventStore, ClickHouseEventStore>();
        services.AddSingleton<IMarketingAnalytics, ClickHouseMarketingAnalytics>();
        services.AddSingleton<ISessionStore, ClickHouseSessionStore>();
        services.AddSingleton<Query.IQueryEngine, Query.ClickHouseQueryEngine>();
        services.AddSingleton<Query.IVisitRollupStore, Query.ClickHouseVisitRollupStore>();
        services.AddSingleton<Funnels.IFunnelDayStore, Funnels.ClickHouseFunnelDayStore>();
    }

    /// <summary>Runs every configured engine's migrations; an unreachable engine is named with its setting.</summary>
    public static async Task MigrateAllAsync(IServiceProvider services, CancellationToken cancellationToken, Action<int>? applied = null)
    {
        foreach (var migrator in services.GetServices<ISchemaMigrator>())
        {
            try
            {
                // Not applied?.Invoke(await …): a null callback would skip the migration itself.
                var count = await migrator.MigrateAsync(cancellationToken);
                applied?.Invoke(count);
            }
            catch (Exception e) when (e is NpgsqlException or Microsoft.Data.Sqlite.SqliteException or ClickHouseException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"{migrator.Describe} cannot be used: {e.Message}", e);
            }
        }
    }

    private static void Require(string key, string value, IReadOnlyList<string> valid)
    {
        if (!valid.Contains(value, StringComparer.Ordinal))
        {
            throw new OptionsValidationException(key, typeof(UtmostOptions),
                [$"{key} is '{value}', which is not a storage provider. Valid providers: {string.Join(", ", valid)}."]);
        }
    }
}
