using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Utmost.Core.Common;

namespace Utmost.Hosting;

/// <summary>
/// Reads request bodies ourselves rather than through model binding, so that every failure (size, content type,
/// syntax, depth, encoding) becomes a precise 4xx problem and never a 500.
/// </summary>
public static class JsonBody
{
    public const int SmallBodyBytes = 256 * 1024;

    public sealed record ObjectOutcome(JsonDocument? Document, ProblemHttpResult? Problem);

    /// <summary>A body held in a pooled buffer; dispose to return it.</summary>
    public sealed class Buffer(byte[] array, int length) : IDisposable
    {
        public ReadOnlyMemory<byte> Memory => array.AsMemory(0, length);

        public void Dispose() => ArrayPool<byte>.Shared.Return(array);
    }

    public static bool HasJsonContentType(HttpRequest request, bool allowTextPlain)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
        {
            return false;
        }
        var media = type.MediaType;
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || allowTextPlain && media.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
    }

    public static ProblemHttpResult UnsupportedMediaType(bool allowTextPlain) => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
        detail: allowTextPlain ? "Send the body as application/json (or text/plain holding JSON)." : "Send the body as application/json.");

    public static ProblemHttpResult TooLarge(int limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large",
        detail: $"The request body must be at most {limit} bytes.");

    /// <summary>Reads at most <paramref name="limit"/> bytes; returns null (and a 413 problem) when the body is larger.</summary>
    public static async Task<(Buffer? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }
        var size = (int)Math.Min(request.ContentLength ?? 16 * 1024, limit) + 1;
        var array = ArrayPool<byte>.Shared.Rent(size);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == array.Length)
                {
                    if (length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(array);
                        return (null, TooLarge(limit));
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(array.Length * 2, limit + 1));
                    array.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(array);
                    array = larger;
                }
                var read = await request.Body.ReadAsync(array.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(array);
                    return (null, TooLarge(limit));
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(array);
            throw;
        }
        return (new Buffer(array, length), null);
    }

    /// <summary>Reads a JSON object body for the management endpoints (campaigns, tenant settings).</summary>
    public static Task<ObjectOutcome> ReadObjectAsync(HttpRequest request, int limit, CancellationToken cancellationToken) =>
        ReadDocumentAsync(request, limit, JsonValueKind.Object, cancellationToken);

    /// <summary>Reads a JSON array body (lists replaced whole: channel rules, goals).</summary>
    public static Task<ObjectOutcome> ReadArrayAsync(HttpRequest request, int limit, CancellationToken cancellationToken) =>
        ReadDocumentAsync(request, limit, JsonValueKind.Array, cancellationToken);

    private static async Task<ObjectOutcome> ReadDocumentAsync(HttpRequest request, int limit, JsonValueKind root, CancellationToken cancellationToken)
    {
        if (!HasJsonContentType(request, allowTextPlain: false))
        {
            return new ObjectOutcome(null, UnsupportedMediaType(false));
        }
        var (body, problem) = await ReadAsync(request, limit, cancellationToken);
        if (body is null)
        {
            return new ObjectOutcome(null, problem);
        }
        using (body)
        {
            JsonDocument document;
            try
            {
                // A document keeps referring to the memory it was parsed from: give it its own copy, not the pooled buffer.
                document = JsonDocument.Parse(body.Memory.ToArray(), JsonFields.DocumentOptions);
            }
            catch (JsonException e)
            {
                return new ObjectOutcome(null, BadBody($"The body is not valid JSON: {JsonFields.DescribeJsonError(e)}."));
            }
            if (document.RootElement.ValueKind != root)
            {
                document.Dispose();
                return new ObjectOutcome(null, BadBody(root == JsonValueKind.Object ? "The body must be a JSON object." : "The body must be a JSON array."));
            }
            return new ObjectOutcome(document, null);
        }
    }

    private static ProblemHttpResult BadBody(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request body", detail: detail,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["body"] = [detail] } });
}
