using Microsoft.Extensions.Options;
using Utmost.Tenancy;

namespace Utmost.Hosting;

/// <summary>
/// Runs before the server takes requests: brings the schema up to date and, on first start, creates the
/// default tenant and prints its admin key once.
/// </summary>
public sealed partial class StorageInitializer(
    IServiceProvider services, TenantAdministration tenants, IOptions<UtmostOptions> options, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await StorageRegistration.MigrateAllAsync(services, cancellationToken, applied =>
        {
            if (applied > 0)
            {
                Log.Migrated(logger, applied);
            }
        });
        var generatedKey = await tenants.EnsureDefaultTenantAsync(options.Value.AdminKey, cancellationToken);
        if (generatedKey is not null)
        {
            // Printed, not logged: the only time this key is ever shown, and it must not end up in log storage.
            Console.WriteLine();
            Console.WriteLine("  Created tenant 'default'. Its admin API key (shown only this once):");
            Console.WriteLine($"    {generatedKey}");
            Console.WriteLine("  Use it as 'Authorization: Bearer <key>'.");
            Console.WriteLine();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applied {Count} schema migrations")]
        public static partial void Migrated(ILogger logger, int count);
    }
}
