namespace Utmost.Tests.Support;

/// <summary>A fresh directory under the system temp folder, removed (best effort) when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string purpose) =>
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"utmost-{purpose}", Guid.NewGuid().ToString("N"));

    public string Path { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Likewise.
        }
    }
}
