namespace Utmost.Core.Common;

/// <summary>Collects field-level validation failures, keyed by the field's path (e.g. <c>[3].utm_source</c>).</summary>
public sealed class ValidationErrors
{
    // Bounded so a hostile batch of 10,000 bad items cannot make the error response itself huge.
    private const int MaxFields = 100;
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public int Count => _errors.Count;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            if (_errors.Count >= MaxFields)
            {
                return;
            }
            list = [];
            _errors[field] = list;
        }
        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public static string Join(string prefix, string field) => prefix.Length == 0 ? field : $"{prefix}.{field}";
}
