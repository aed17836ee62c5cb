using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Utmost.Ingestion;

namespace Utmost.Hosting;

/// <summary>What every request shares: configuration, JSON conventions, errors as problem details, limits, proxies.</summary>
public static class HostingSetup
{
    /// <summary>Where the server listens when nothing else is configured (the seed's examples use port 8000).</summary>
    public const string DefaultUrl = "http://localhost:8000";

    public static WebApplicationBuilder AddUtmostHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<UtmostOptions>()
            .BindConfiguration(UtmostOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        // Keys for cookies and tokens live with the data, not in the home directory of whoever started the server.
        var dataDir = builder.Configuration[$"{UtmostOptions.Section}:DataDir"] ?? new UtmostOptions().DataDir;
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, "keys")));

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Our own readers enforce each endpoint's smaller limit with a clear 413; this is the outer bound.
            kestrel.Limits.MaxRequestBodySize = IngestionApi.BatchBodyBytes + 1024;
        });

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new UtcTimestampConverter());
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddUtmostHealthChecks();
        return builder;
    }

    public static WebApplication UseUtmostHosting(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Malformed HTTP (a body over Kestrel's limit, a broken chunk) is the client's fault: its own 4xx, not a 500.
            StatusCodeSelector = e => e switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                // An engine that is down (ClickHouse, PostgreSQL) makes the request fail for now, not for good.
                Storage.ClickHouse.ClickHouseException or Npgsql.NpgsqlException or TimeoutException => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        var proxies = app.Configuration.GetSection(UtmostOptions.Section).Get<UtmostOptions>()?.TrustedProxies ?? [];
        if (proxies.Length > 0)
        {
            app.UseForwardedHeaders(TrustedProxyOptions(proxies));
        }
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>X-Forwarded-For is believed only from the configured proxies, never by default.</summary>
    public static ForwardedHeadersOptions TrustedProxyOptions(IEnumerable<string> proxies)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var proxy in proxies)
        {
            if (System.Net.IPNetwork.TryParse(proxy, out var network))
            {
                options.KnownIPNetworks.Add(network);
            }
            else if (IPAddress.TryParse(proxy, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else
            {
                throw new InvalidOperationException($"Utmost:TrustedProxies has '{proxy}', which is neither an IP address nor a CIDR network.");
            }
        }
        return options;
    }

    /// <summary>Timestamps as ISO 8601 in UTC with a Z, to the millisecond: the form every client parses.</summary>
    private sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}
