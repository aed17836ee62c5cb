namespace Utmost.Core.Events;

/// <summary>Length limits of event fields, from the seed's marketing_events table where it gives them.</summary>
public static class EventLimits
{
    public const int ShortText = 255;
    public const int EventType = 64;
    public const int EventId = 128;
    public const int SiteKey = 64;
    public const int Url = 8192;
    public const int UserAgent = 1024;
    public const int IpAddress = 50;
    public const int JsonObjectBytes = 16 * 1024;
    public const int MaxBatch = 10_000;

    /// <summary>How far ahead of the server's clock a client timestamp may be (clock skew), no more.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromHours(1);
}
