namespace Utmost.Storage;

/// <summary>Brings one engine's schema up to date; every configured engine has one, run at start and by <c>utmost migrate</c>.</summary>
public interface ISchemaMigrator
{
    /// <summary>The engine and the setting that points at it, for error messages.</summary>
    string Describe { get; }

    Task<int> MigrateAsync(CancellationToken cancellationToken);
}
