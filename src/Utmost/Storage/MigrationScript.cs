using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Utmost.Storage;

/// <summary>One numbered schema change, read from an embedded <c>Migrations/NNNN_name.sql</c> file of an engine.</summary>
public sealed partial record MigrationScript(int Version, string Name, string Sql)
{
    [GeneratedRegex(@"\.(?<engine>\w+)\.Migrations\.(?<version>\d{4})_(?<name>\w+)\.sql$")]
    private static partial Regex ResourceName();

    /// <summary>The scripts of one engine folder (<c>Sqlite</c>, <c>Postgres</c>, <c>ClickHouse</c>), in version order.</summary>
    public static IReadOnlyList<MigrationScript> For(string engine)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success || match.Groups["engine"].Value != engine)
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new MigrationScript(int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value, reader.ReadToEnd()));
        }
        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        return scripts;
    }
}
