using System.Text;
using Utmost.Hosting;

namespace Utmost.Tracker;

/// <summary>GET /js/utmost.js: the browser tracker (Tracker/utmost.js), without its comment lines and indentation.</summary>
public static class TrackerScript
{
    public const string Path = "/js/utmost.js";

    private static readonly Lazy<StaticAsset> Script = new(Load);

    public static IEndpointRouteBuilder MapTrackerScript(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=3600";
            // Any origin may load it: it is the same public script for every site.
            context.Response.Headers.AccessControlAllowOrigin = "*";
            return Script.Value.Serve(context);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static StaticAsset Load()
    {
        using var stream = typeof(TrackerScript).Assembly.GetManifestResourceStream("Utmost.Tracker.utmost.js")
            ?? throw new InvalidOperationException("The tracker script is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n').Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal));
        return StaticAsset.Of(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"), "application/javascript; charset=utf-8");
    }
}
