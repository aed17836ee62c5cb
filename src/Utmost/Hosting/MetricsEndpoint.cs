using System.Globalization;
using Utmost.Events;
using Utmost.Sessions;

namespace Utmost.Hosting;

/// <summary>Operational figures in the Prometheus text format at <c>/metrics</c>, for scrapers and dashboards.</summary>
public static class MetricsEndpoint
{
    public static IEndpointRouteBuilder MapOperationalMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (IServiceProvider services) =>
        {
            var backlog = services.GetService<ClickHouseShipper>()?.Backlog ?? 0;
            var sessionBacklog = services.GetService<SessionBuilder>()?.Backlog ?? 0;
            var text = string.Create(CultureInfo.InvariantCulture, $"""
                # HELP utmost_spool_backlog Events acknowledged but not yet shipped to ClickHouse.
                # TYPE utmost_spool_backlog gauge
                utmost_spool_backlog {backlog}
                # HELP utmost_session_backlog Stored events whose sessions are not yet built (as of the builder's last round).
                # TYPE utmost_session_backlog gauge
                utmost_session_backlog {sessionBacklog}

                """);
            return Results.Text(text, "text/plain; version=0.0.4");
        }).WithTags("Operations").ExcludeFromDescription();
        return app;
    }
}
