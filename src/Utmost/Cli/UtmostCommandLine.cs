using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Utmost.Attribution;
using Utmost.Core.Campaigns;
using Utmost.Core.Channels;
using Utmost.Core.Common;
using Utmost.Core.Costs;
using Utmost.Costs;
using Utmost.Hosting;
using Utmost.Storage.Sqlite;
using Utmost.Tenancy;

namespace Utmost.Cli;

/// <summary>
/// The verbs of the one <c>utmost</c> binary. Every verb takes configuration the ASP.NET Core way
/// (appsettings.json, <c>Utmost__DataDir</c>, <c>--Utmost:DataDir=DIR</c>), so admin verbs reach the same data
/// directory as a running server, and may run while it does.
/// </summary>
public static class UtmostCommandLine
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static RootCommand Build(Func<string[], WebApplication> buildServer)
    {
        var root = new RootCommand("Utmost: self-hosted marketing analytics, attribution and automation.");

        var serve = new Command("serve", "Start the HTTP server (default http://localhost:8000).") { TreatUnmatchedTokensAsErrors = false };
        var demo = new Option<bool>("--demo") { Description = "Give the default tenant 30 days of generated traffic, campaigns and costs if it has no events yet." };
        serve.Options.Add(demo);
        serve.SetAction((parse, cancellationToken) => ServeAsync(buildServer, parse.UnmatchedTokens.ToArray(), parse.GetValue(demo), cancellationToken));
        root.Subcommands.Add(serve);

        var migrate = new Command("migrate", "Create or upgrade the database schema, then exit.") { TreatUnmatchedTokensAsErrors = false };
        migrate.SetAction((parse, cancellationToken) => RunAdminAsync(parse, (_, _) => Task.FromResult<object>(new { migrated = true }), cancellationToken));
        root.Subcommands.Add(migrate);

        var slug = new Argument<string>("slug") { Description = "Lowercase letters, digits and dashes." };
        var name = new Option<string?>("--name") { Description = "A display name (defaults to the slug)." };
        var createTenant = new Command("create", "Create a tenant; prints its slug, site key and admin key as JSON.") { slug, name };
        createTenant.TreatUnmatchedTokensAsErrors = false;
        createTenant.SetAction((parse, cancellationToken) => RunAdminAsync(parse, async (services, ct) =>
        {
            var created = await services.GetRequiredService<TenantAdministration>().CreateTenantAsync(parse.GetValue(slug)!, parse.GetValue(name), null, ct);
            return new
            {
                id = created.Tenant.Id,
                slug = created.Tenant.Slug,
                name = created.Tenant.Name,
                site_key = created.Tenant.SiteKey,
                admin_key = created.AdminKey,
            };
        }, cancellationToken));
        root.Subcommands.Add(new Command("tenants", "Manage tenants.") { createTenant });

        var tenant = new Option<string>("--tenant") { Description = "The tenant's slug.", Required = true };
        var role = new Option<string>("--role") { Description = $"One of: {string.Join(", ", Roles.All)}.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var createKey = new Command("create", "Create an API key for a tenant; prints it as JSON (shown only this once).") { tenant, role };
        createKey.TreatUnmatchedTokensAsErrors = false;
        createKey.SetAction((parse, cancellationToken) => RunAdminAsync(parse, async (services, ct) =>
        {
            var key = await services.GetRequiredService<TenantAdministration>().CreateKeyAsync(parse.GetValue(tenant)!, parse.GetValue(role)!, ct);
            return new { tenant = parse.GetValue(tenant), role = parse.GetValue(role), key };
        }, cancellationToken));
        root.Subcommands.Add(new Command("keys", "Manage API keys.") { createKey });

        var costFile = new Argument<FileInfo>("file") { Description = "CSV with a header: date, cost, and campaign or source/medium; clicks, impressions, currency optional." };
        var costTenant = new Option<string>("--tenant") { Description = "The tenant's slug.", Required = true };
        var currency = new Option<string>("--currency") { Description = "For rows without a currency.", DefaultValueFactory = _ => CampaignRules.DefaultCurrency };
        var importCosts = new Command("costs", "Import daily advertising costs from CSV (a day sent again replaces it); prints how many rows.")
        {
            costFile, costTenant, currency,
        };
        importCosts.TreatUnmatchedTokensAsErrors = false;
        importCosts.SetAction((parse, cancellationToken) => RunAdminAsync(parse, async (services, ct) =>
        {
            var slug = parse.GetValue(costTenant)!;
            var defaultCurrency = Currencies.Normalise(parse.GetValue(currency)!) ?? throw new ArgumentException("--currency must be an ISO 4217 code, e.g. EUR");
            List<CostRow> rows;
            using (var reader = parse.GetValue(costFile)!.OpenText())
            {
                rows = CostCsv.Read(reader, defaultCurrency);
            }
            var costTenantRecord = await services.GetRequiredService<ITenantStore>().FindBySlugAsync(slug, ct)
                ?? throw new InvalidOperationException($"No tenant with slug '{slug}'.");
            await services.GetRequiredService<ICostStore>().UpsertAsync(costTenantRecord.Id, rows, services.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
            return new { tenant = slug, imported = rows.Count };
        }, cancellationToken));
        root.Subcommands.Add(new Command("import", "Import data from files.") { importCosts });

        var source = new Option<string?>("--source") { Description = "utm_source, or a referrer host." };
        var medium = new Option<string?>("--medium") { Description = "utm_medium." };
        var campaign = new Option<string?>("--campaign") { Description = "utm_campaign." };
        var referrer = new Option<string?>("--referrer") { Description = "The referrer URL." };
        var landing = new Option<string?>("--url") { Description = "The landing page URL (its UTM tags and click ids count too)." };
        var classify = new Command("classify", "Print the channel (GA4 default channel group), lead source, source and medium of a visit as JSON.")
        {
            source, medium, campaign, referrer, landing,
        };
        classify.SetAction(parse =>
        {
            var traffic = ChannelClassifier.Classify(new ChannelInput(
                parse.GetValue(source), parse.GetValue(medium), parse.GetValue(campaign), parse.GetValue(referrer), parse.GetValue(landing)));
            Console.WriteLine(JsonSerializer.Serialize(traffic, Json));
            return 0;
        });
        root.Subcommands.Add(classify);
        root.Subcommands.Add(AttributionCommand.Create());

        return root;
    }

    private static async Task<int> ServeAsync(Func<string[], WebApplication> buildServer, string[] args, bool demo, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = buildServer(args);
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            // A configuration mistake deserves one clear line, not a stack trace.
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var dataDir = app.Services.GetRequiredService<SqliteDatabase>().Path;
            Console.WriteLine($"Utmost is running at {string.Join(", ", addresses)}  (database: {dataDir})");
            var address = addresses.FirstOrDefault() ?? "http://localhost:8000";
            Console.WriteLine($"  dashboard: {address}/ (sign in with an API key of the tenant)");
            Console.WriteLine($"  try: curl {address}/health/ready   API description: /openapi/v1.json   stop: Ctrl+C");
            if (demo)
            {
                _ = LoadDemoAsync(app.Services.GetRequiredService<Demo.DemoData>(), app.Lifetime.ApplicationStopping);
            }
        });
        try
        {
            await app.RunAsync(cancellationToken);
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        return 0;
    }

    private static async Task LoadDemoAsync(Demo.DemoData demo, CancellationToken cancellationToken)
    {
        try
        {
            var count = await demo.LoadAsync(TenantAdministration.DefaultSlug, cancellationToken);
            Console.WriteLine(count > 0
                ? $"  demo: {count:N0} events of the last 30 days, four campaigns and a funnel added to tenant '{TenantAdministration.DefaultSlug}'"
                : $"  demo: tenant '{TenantAdministration.DefaultSlug}' already has events; nothing added");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"demo: could not load the demo data: {e.Message}");
        }
    }

    private static async Task<int> RunAdminAsync<T>(ParseResult parse, Func<IServiceProvider, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            await using var host = await AdminHostAsync(parse, cancellationToken);
            var result = await action(host.Services, cancellationToken);
            Console.WriteLine(JsonSerializer.Serialize(result, Json));
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OptionsValidationException or CostCsvException
                                   or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>The services an admin verb needs, over the same configuration and storage as the server, schema up to date.</summary>
    private static async Task<WebApplication> AdminHostAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = parse.UnmatchedTokens.ToArray(), ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddOptions<UtmostOptions>().BindConfiguration(UtmostOptions.Section).ValidateDataAnnotations();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddStorage();
        builder.Services.AddTenancy();
        var host = builder.Build();
        await StorageRegistration.MigrateAllAsync(host.Services, cancellationToken);
        return host;
    }
}
