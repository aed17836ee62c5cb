using Utmost.Attribution;
using Utmost.Campaigns;
using Utmost.Channels;
using Utmost.Cli;
using Utmost.Conversions;
using Utmost.Dashboard;
using Utmost.Costs;
using Utmost.Events;
using Utmost.Funnels;
using Utmost.Hosting;
using Utmost.Identity;
using Utmost.Ingestion;
using Utmost.Query;
using Utmost.Reports;
using Utmost.Metrics;
using Utmost.Sessions;
using Utmost.Tenancy;
using Utmost.Tracker;
using Utmost.Users;

return await UtmostCommandLine.Build(Program.BuildServer).Parse(args).InvokeAsync();

/// <summary>The server's table of contents: what it registers and which APIs it maps.</summary>
public static partial class Program
{
    public static WebApplication BuildServer(string[] args)
    {
        // appsettings.json is found beside the binary, whatever directory the server is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddUtmostHosting();
        builder.AddStorage();
        builder.Services.AddTenancy();
        builder.Services.AddIngestion();
        builder.Services.AddDashboardSessions();
        builder.Services.AddSingleton<Utmost.Demo.DemoData>();

        var app = builder.Build();
        app.UseUtmostHosting();
        app.MapHealth();
        app.MapOperationalMetrics();
        app.MapOpenApi();
        app.MapIngestionApi();
        app.MapTrackerScript();
        app.MapEventsApi();
        app.MapMetricsApi();
        app.MapCampaignsApi();
        app.MapTenantsApi();
        app.MapChannelsApi();
        app.MapIdentifyApi();
        app.MapGoalsApi();
        app.MapSessionsApi();
        app.MapCostsApi();
        app.MapAttributionApi();
        app.MapChannelPerformanceApi();
        app.MapQueryApi();
        app.MapFunnelsApi();
        app.MapDashboardReportsApi();
        app.MapCampaignReportsApi();
        app.MapDashboardSessions();
        app.MapUsersApi();
        app.MapDashboard();
        return app;
    }
}
