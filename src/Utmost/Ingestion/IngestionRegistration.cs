namespace Utmost.Ingestion;

public static class IngestionRegistration
{
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddSingleton<EventWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<EventWriter>());
        services.AddSingleton<IngestionService>();
        return services;
    }
}
