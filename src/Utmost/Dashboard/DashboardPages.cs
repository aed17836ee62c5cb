using Utmost.Hosting;

namespace Utmost.Dashboard;

/// <summary>
/// The dashboard's page at <c>/</c> and its bundle under <c>/dashboard/</c>: built from Dashboard/web by npm at build
/// time and embedded in the binary, so the server needs nothing beside it; gzipped for clients that accept it.
/// </summary>
public static class DashboardPages
{
    private const string ResourcePrefix = "Utmost.Dashboard.";

    // Our own files only; Chart.js draws with the style object, which this policy allows.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "application/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    private static readonly Lazy<Dictionary<string, StaticAsset>> Files = new(Load);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/dashboard/{file}", (HttpContext context, string file) => Serve(context, file)).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Files.Value.TryGetValue(name, out var file))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: Files.Value.Count == 0 ? "This build has no dashboard: Node.js and npm were missing when it was built." : $"No dashboard file '{name}'.");
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        // The page is asked for again each time (it names the bundle); the bundle may be kept an hour.
        headers.CacheControl = name == "index.html" ? "no-cache" : "public, max-age=3600";
        return file.Serve(context);
    }

    private static Dictionary<string, StaticAsset> Load()
    {
        var assembly = typeof(DashboardPages).Assembly;
        var files = new Dictionary<string, StaticAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[ResourcePrefix.Length..];
            files[name] = StaticAsset.Of(copy.ToArray(), ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"));
        }
        return files;
    }
}
