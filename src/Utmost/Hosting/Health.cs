using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Utmost.Events;

namespace Utmost.Hosting;

/// <summary>/health/live (the process answers) and /health/ready (the database answers too).</summary>
public static class Health
{
    public static IServiceCollection AddUtmostHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<EventStoreHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        }, cancellationToken: context.RequestAborted);
    }

    private sealed class EventStoreHealthCheck(IEventStore store, IServiceProvider services) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // With ClickHouse, how many acknowledged events still wait in the local spool.
            var data = services.GetService<ClickHouseShipper>() is { } shipper
                ? new Dictionary<string, object> { ["spool_backlog"] = shipper.Backlog }
                : new Dictionary<string, object>();
            try
            {
                return await store.IsHealthyAsync(cancellationToken)
                    ? HealthCheckResult.Healthy("The event store answers.", data)
                    : HealthCheckResult.Unhealthy("The event store does not answer.", data: data);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"The database does not answer: {e.Message}");
            }
        }
    }
}
