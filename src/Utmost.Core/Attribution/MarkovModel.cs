namespace Utmost.Core.Attribution;

/// <summary>
/// Data-driven attribution by removal effect over an absorbing Markov chain. States are the last
/// <c>order</c> channels of a path (consecutive repeats of a channel collapsed first), plus start, conversion and
/// null. A channel's removal effect is the share of conversion probability lost when every state holding it leads
/// to null instead; conversions and value are split in proportion to the removal effects. The probabilities are
/// solved exactly from the linear system of the chain, not simulated.
/// </summary>
public static class MarkovModel
{
    private const int Start = 0;
    private const int Conversion = -1;
    private const int Null = -2;

    internal static void Attribute(IReadOnlyList<AttributionPath> paths, int order, CreditSheet sheet)
    {
        var totalConversions = paths.Sum(p => p.Conversions);
        var totalValue = paths.Sum(p => p.Value);
        if (totalConversions <= 0)
        {
            return;
        }
        var chain = Chain.Build(paths, order);
        var effects = RemovalEffects(chain);
        var sum = effects.Values.Sum();
        if (sum <= 0)
        {
            // Nothing removable leads to a conversion (cannot happen with touches on every converting path, kept safe).
            sheet.Add(Attributor.Direct, totalConversions, totalValue);
            return;
        }
        foreach (var (channel, effect) in effects)
        {
            sheet.Add(channel, totalConversions * effect / sum, totalValue * effect / sum);
        }
    }

    /// <summary>Each channel's removal effect: 1 − P(conversion without it) / P(conversion).</summary>
    public static Dictionary<string, double> RemovalEffects(IReadOnlyList<AttributionPath> paths, int order = 1) =>
        RemovalEffects(Chain.Build(paths, order));

    private static Dictionary<string, double> RemovalEffects(Chain chain)
    {
        var baseline = chain.ConversionProbability(removed: null);
        var effects = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var c = 0; c < chain.Channels.Count; c++)
        {
            effects[chain.Channels[c]] = baseline <= 0 ? 0 : Math.Max(0, 1 - chain.ConversionProbability(removed: c) / baseline);
        }
        return effects;
    }

    /// <summary>The probability of reaching conversion from start, with one channel removed or none.</summary>
    public static double ConversionProbability(IReadOnlyList<AttributionPath> paths, int order = 1, string? removed = null)
    {
        var chain = Chain.Build(paths, order);
        var index = removed is null ? -1 : chain.Channels.IndexOf(removed);
        return chain.ConversionProbability(index < 0 ? null : index);
    }

    /// <summary>Transition weights between states; state 0 is start, the others are channel sequences.</summary>
    private sealed class Chain
    {
        public List<string> Channels { get; } = [];
        private readonly Dictionary<string, int> _channelIds = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _stateIds = new(StringComparer.Ordinal) { [""] = Start };
        private readonly List<int[]> _stateChannels = [[]];
        private readonly List<Dictionary<int, double>> _out = [[]];

        public static Chain Build(IReadOnlyList<AttributionPath> paths, int order)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
            var chain = new Chain();
            var window = new List<int>(order);
            foreach (var path in paths)
            {
                var weight = path.Conversions + path.Nulls;
                if (weight <= 0 || path.Touches.Count == 0)
                {
                    continue;
                }
                window.Clear();
                var from = Start;
                var previous = -1;
                foreach (var touch in path.Touches)
                {
                    var channel = chain.ChannelId(touch.Key);
                    if (channel == previous)
                    {
                        continue;
                    }
                    previous = channel;
                    if (window.Count == order)
                    {
                        window.RemoveAt(0);
                    }
                    window.Add(channel);
                    var to = chain.StateId(window);
                    chain.Add(from, to, weight);
                    from = to;
                }
                chain.Add(from, Conversion, path.Conversions);
                chain.Add(from, Null, path.Nulls);
            }
            return chain;
        }

        private int ChannelId(string channel)
        {
            if (!_channelIds.TryGetValue(channel, out var id))
            {
                _channelIds[channel] = id = Channels.Count;
                Channels.Add(channel);
            }
            return id;
        }

        private int StateId(List<int> window)
        {
            var key = window.Count == 1 ? Channels[window[0]] : string.Join('\u001f', window);
            if (!_stateIds.TryGetValue(key, out var id))
            {
                _stateIds[key] = id = _out.Count;
                _out.Add([]);
                _stateChannels.Add([.. window]);
            }
            return id;
        }

        private void Add(int from, int to, double weight)
        {
            if (weight > 0)
            {
                _out[from][to] = _out[from].GetValueOrDefault(to) + weight;
            }
        }

        /// <summary>
        /// Solves p = Q p + r for the transient states (p: probability of ending in conversion, Q: transitions between
        /// transient states, r: transitions into conversion), a state holding the removed channel having p = 0.
        /// </summary>
        public double ConversionProbability(int? removed)
        {
            var n = _out.Count;
            var a = new double[n, n];
            var b = new double[n];
            for (var s = 0; s < n; s++)
            {
                a[s, s] = 1;
                if (removed is { } channel && _stateChannels[s].Contains(channel))
                {
                    continue;
                }
                var total = _out[s].Values.Sum();
                if (total <= 0)
                {
                    continue;
                }
                foreach (var (to, weight) in _out[s])
                {
                    if (to == Conversion)
                    {
                        b[s] += weight / total;
                    }
                    else if (to >= 0)
                    {
                        a[s, to] -= weight / total;
                    }
                }
            }
            return Solve(a, b)[Start];
        }

        /// <summary>Gaussian elimination with partial pivoting (the chain's matrix I − Q is non-singular: every state can leave).</summary>
        private static double[] Solve(double[,] a, double[] b)
        {
            var n = b.Length;
            for (var col = 0; col < n; col++)
            {
                var pivot = col;
                for (var row = col + 1; row < n; row++)
                {
                    if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                    {
                        pivot = row;
                    }
                }
                if (pivot != col)
                {
                    for (var k = 0; k < n; k++)
                    {
                        (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
                    }
                    (b[col], b[pivot]) = (b[pivot], b[col]);
                }
                for (var row = col + 1; row < n; row++)
                {
                    var factor = a[row, col] / a[col, col];
                    if (factor == 0)
                    {
                        continue;
                    }
                    for (var k = col; k < n; k++)
                    {
                        a[row, k] -= factor * a[col, k];
                    }
                    b[row] -= factor * b[col];
                }
            }
            var x = new double[n];
            for (var row = n - 1; row >= 0; row--)
            {
                var sum = b[row];
                for (var k = row + 1; k < n; k++)
                {
                    sum -= a[row, k] * x[k];
                }
                x[row] = sum / a[row, row];
            }
            return x;
        }
    }
}
