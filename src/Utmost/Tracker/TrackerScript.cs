using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Utmost.Tracker;

/// <summary>
/// GET /js/utmost.js: the browser tracker (Tracker/utmost.js), without its comment lines and indentation, gzipped once
/// at start for the clients that accept it.
/// </summary>
public static class TrackerScript
{
    public const string Path = "/js/utmost.js";

    private static readonly Lazy<(byte[] Plain, byte[] Gzipped, string ETag)> Script = new(Load);

    public static byte[] Plain => Script.Value.Plain;

    public static byte[] Gzipped => Script.Value.Gzipped;

    public static IEndpointRouteBuilder MapTrackerScript(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context)
    {
        var (plain, gzipped, etag) = Script.Value;
        var response = context.Response;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "public, max-age=3600";
        response.Headers.Vary = "Accept-Encoding";
        // Any origin may load it: it is the same public script for every site.
        response.Headers.AccessControlAllowOrigin = "*";
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        if (context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            response.Headers.ContentEncoding = "gzip";
            return Results.Bytes(gzipped, "application/javascript; charset=utf-8");
        }
        return Results.Bytes(plain, "application/javascript; charset=utf-8");
    }

    private static (byte[], byte[], string) Load()
    {
        using var stream = typeof(TrackerScript).Assembly.GetManifestResourceStream("Utmost.Tracker.utmost.js")
            ?? throw new InvalidOperationException("The tracker script is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n').Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal));
        var plain = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.SmallestSize))
        {
            gzip.Write(plain);
        }
        return (plain, gzipped.ToArray(), $"\"{Convert.ToHexStringLower(SHA256.HashData(plain))[..16]}\"");
    }
}
