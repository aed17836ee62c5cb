using System.IO.Compression;
using System.Security.Cryptography;

namespace Utmost.Hosting;

/// <summary>
/// A file the server carries in its binary (the tracker, the dashboard's bundle): gzipped once at start, answered with
/// an ETag (304 when the client has it) and gzip to clients that accept it.
/// </summary>
public sealed class StaticAsset
{
    private StaticAsset(byte[] plain, string contentType)
    {
        Plain = plain;
        ContentType = contentType;
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize))
        {
            gzip.Write(plain);
        }
        Gzipped = compressed.ToArray();
        ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(plain))[..16]}\"";
    }

    public byte[] Plain { get; }

    public byte[] Gzipped { get; }

    public string ETag { get; }

    public string ContentType { get; }

    public static StaticAsset Of(byte[] plain, string contentType) => new(plain, contentType);

    /// <summary>The answer to a GET; the caller sets its other headers (caching, security) first.</summary>
    public IResult Serve(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ETag = ETag;
        headers.Vary = "Accept-Encoding";
        if (context.Request.Headers.IfNoneMatch == ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        if (context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentEncoding = "gzip";
            return Results.Bytes(Gzipped, ContentType);
        }
        return Results.Bytes(Plain, ContentType);
    }
}
