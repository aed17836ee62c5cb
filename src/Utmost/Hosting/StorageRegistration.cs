using Microsoft.Extensions.Options;
using Utmost.Campaigns;
using Utmost.Events;
using Utmost.Metrics;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Hosting;

/// <summary>Chooses the storage engines named in configuration; an unknown key fails at start-up listing the valid ones.</summary>
public static class StorageRegistration
{
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(UtmostOptions.Section).Get<UtmostOptions>() ?? new UtmostOptions();
        Require("Utmost:Storage:Provider", options.Storage.Provider, StorageProviders.Operational);
        Require("Utmost:Events:Provider", options.Events.Provider, StorageProviders.Events);

        builder.Services.AddSingleton(services => new SqliteDatabase(services.GetRequiredService<IOptions<UtmostOptions>>().Value.DataDir));
        builder.Services.AddSingleton<SqliteMigrator>();
        builder.Services.AddHostedService<SqliteCheckpointer>();
        builder.Services.AddSingleton<ITenantStore, SqliteTenantStore>();
        builder.Services.AddSingleton<ICampaignStore, SqliteCampaignStore>();
        builder.Services.AddSingleton<SqliteEventAppender>();
        builder.Services.AddSingleton<IEventStore, SqliteEventStore>();
        builder.Services.AddSingleton<IMarketingAnalytics, SqliteMarketingAnalytics>();
        return builder;
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
