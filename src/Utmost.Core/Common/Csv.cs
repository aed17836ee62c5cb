using System.Text;

namespace Utmost.Core.Common;

/// <summary>The CSV that spreadsheets and ad platforms export: ',' or ';' delimited, fields optionally double-quoted.</summary>
public static class Csv
{
    /// <summary>The delimiter a header line uses: ';' when it has more of those than commas (European exports).</summary>
    public static char DelimiterOf(string header) => header.Count(c => c == ';') > header.Count(c => c == ',') ? ';' : ',';

    /// <summary>The fields of one line ("" inside quotes is a quote); null when a quoted field is not closed.</summary>
    public static List<string>? SplitLine(string line, char delimiter)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == delimiter && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        fields.Add(field.ToString());
        return quoted ? null : fields;
    }
}
