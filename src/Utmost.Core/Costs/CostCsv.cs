using Utmost.Core.Common;

namespace Utmost.Core.Costs;

/// <summary>A cost file that cannot be imported: the first bad line, by number (1-based), and what is wrong in it.</summary>
public sealed class CostCsvException(int line, string message) : Exception($"line {line}: {message}")
{
    public int Line { get; } = line;
}

/// <summary>
/// Reads daily cost rows from CSV (the header names the columns, in any order and any case: date, cost, and
/// campaign or source/medium; clicks, impressions and currency optional; other columns, which ad platforms' exports
/// carry many of, are ignored). The whole file is checked before anything is returned: one bad line, nothing imported.
/// </summary>
public static class CostCsv
{
    public static List<CostRow> Read(TextReader reader, string defaultCurrency)
    {
        var header = reader.ReadLine() ?? throw new CostCsvException(1, "the file is empty");
        var delimiter = Csv.DelimiterOf(header);
        var names = (Csv.SplitLine(header.TrimStart('\uFEFF'), delimiter) ?? throw new CostCsvException(1, "a quoted field is not closed"))
            .Select(n => n.Trim().ToLowerInvariant()).ToList();
        var columns = CostRows.Fields.ToDictionary(f => f, f => names.IndexOf(f), StringComparer.Ordinal);
        if (columns["date"] < 0 || columns["cost"] < 0 || (columns["campaign"] < 0 && columns["source"] < 0))
        {
            throw new CostCsvException(1, "the header must name date, cost, and campaign or source");
        }
        var rows = new List<CostRow>();
        var number = 1;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = Csv.SplitLine(line, delimiter) ?? throw new CostCsvException(number, "a quoted field is not closed");
            var errors = new ValidationErrors();
            var row = CostRows.Parse(name => columns[name] is var i && i >= 0 && i < fields.Count ? fields[i] : null, defaultCurrency, errors);
            if (row is null)
            {
                var (field, messages) = errors.ToDictionary().First();
                throw new CostCsvException(number, $"'{field}' {messages[0]}");
            }
            rows.Add(row);
        }
        return rows;
    }
}
