namespace Utmost.Core.Common;

/// <summary>Opaque identifiers: UUIDv7 strings, time-ordered so they index well on every backend.</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString();

    public static string New(DateTimeOffset at) => Guid.CreateVersion7(at).ToString();
}
