using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Utmost.Core.Query;

/// <summary>
/// The distinct visitors of a set of visits, in a form that can be added to another's: what the visit rollup keeps
/// per day and traffic source, so that visitors over any days and sources are a merge, not a scan of every visit.
/// <para>
/// Small sets are kept exactly, as the 64-bit hashes of the visitor ids (<see cref="ExactLimit"/> at most), and a
/// merge of exact sets counts exactly. A larger set is a HyperLogLog of 2^<see cref="Precision"/> registers (4 KB,
/// a standard error of 1.04 / 64 = 1.6%), estimated with Ertl's improved raw estimator, which needs no bias tables
/// and is accurate from a handful of visitors to billions (O. Ertl, "New cardinality estimation algorithms for
/// HyperLogLog sketches", 2017). Both engines store the same hashes and registers, so both give the same estimate.
/// </para>
/// </summary>
/// <param name="exactLimit">How many hashes are kept before registers take over: <see cref="ExactLimit"/> for a stored
/// sketch; a merge for one answer keeps every hash while no registers come in, so that exact sets count exactly.</param>
public sealed class VisitorSketch(int exactLimit = VisitorSketch.ExactLimit)
{
    public const int Precision = 12;
    public const int RegisterCount = 1 << Precision;

    /// <summary>Beyond this many visitors, a set becomes registers: the hashes would take more room than they do.</summary>
    public const int ExactLimit = RegisterCount / sizeof(ulong);

    private const int RemainingBits = 64 - Precision;

    private readonly HashSet<ulong> _hashes = [];
    private byte[]? _registers;

    /// <summary>A sketch that merges stored ones for an answer.</summary>
    public static VisitorSketch ForMerging() => new(int.MaxValue);

    /// <summary>Whether the count is exact: no registers were needed.</summary>
    public bool IsExact => _registers is null;

    public void Add(string visitorId) => AddHash(Hash(visitorId));

    public void AddHash(ulong hash)
    {
        if (_registers is not null)
        {
            Register(_registers, hash);
        }
        else if (_hashes.Add(hash) && _hashes.Count > exactLimit)
        {
            ToRegisters();
        }
    }

    /// <summary>Adds a stored sketch: <paramref name="hashes"/> (little-endian 64-bit) or <paramref name="registers"/> (one byte each).</summary>
    public void Add(ReadOnlySpan<byte> hashes, ReadOnlySpan<byte> registers)
    {
        if (registers.Length == RegisterCount)
        {
            if (_registers is null)
            {
                ToRegisters();
            }
            MaxInto(_registers!, registers);
        }
        for (var i = 0; i + sizeof(ulong) <= hashes.Length; i += sizeof(ulong))
        {
            AddHash(BinaryPrimitives.ReadUInt64LittleEndian(hashes[i..]));
        }
    }

    /// <summary>Adds registers merged elsewhere (ClickHouse's maxForEach of stored registers).</summary>
    public void AddRegisters(IReadOnlyList<byte> registers)
    {
        if (registers.Count == 0)
        {
            return;
        }
        if (registers.Count != RegisterCount)
        {
            throw new ArgumentException($"A sketch has {RegisterCount} registers, not {registers.Count}", nameof(registers));
        }
        if (_registers is null)
        {
            ToRegisters();
        }
        for (var i = 0; i < RegisterCount; i++)
        {
            _registers![i] = Math.Max(_registers[i], registers[i]);
        }
    }

    /// <summary>The exact hashes (little-endian), or empty once the set is registers.</summary>
    public byte[] HashBytes()
    {
        if (_registers is not null)
        {
            return [];
        }
        var bytes = new byte[_hashes.Count * sizeof(ulong)];
        var i = 0;
        foreach (var hash in _hashes.Order())
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i), hash);
            i += sizeof(ulong);
        }
        return bytes;
    }

    /// <summary>The registers, or empty while the set is exact.</summary>
    public byte[] RegisterBytes() => _registers is null ? [] : (byte[])_registers.Clone();

    public long Count() => _registers is null ? _hashes.Count : (long)Math.Round(Estimate(_registers));

    private void ToRegisters()
    {
        _registers = new byte[RegisterCount];
        foreach (var hash in _hashes)
        {
            Register(_registers, hash);
        }
        _hashes.Clear();
    }

    private static void MaxInto(byte[] target, ReadOnlySpan<byte> source)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<byte>.Count <= target.Length; i += Vector<byte>.Count)
            {
                Vector.Max(new Vector<byte>(target.AsSpan(i)), new Vector<byte>(source[i..])).CopyTo(target.AsSpan(i));
            }
        }
        for (; i < target.Length; i++)
        {
            target[i] = Math.Max(target[i], source[i]);
        }
    }

    /// <summary>The first bits choose the register; it keeps the most leading zeros (plus one) seen in the rest.</summary>
    private static void Register(byte[] registers, ulong hash)
    {
        var index = (int)(hash >> RemainingBits);
        var rank = (byte)(Math.Min(BitOperations.LeadingZeroCount(hash << Precision), RemainingBits) + 1);
        if (registers[index] < rank)
        {
            registers[index] = rank;
        }
    }

    /// <summary>Ertl's improved raw estimate from the histogram of register values (his algorithm 6).</summary>
    public static double Estimate(IReadOnlyList<byte> registers)
    {
        var m = (double)registers.Count;
        var counts = new int[RemainingBits + 2];
        foreach (var value in registers)
        {
            counts[value]++;
        }
        var z = m * Tau(1 - counts[RemainingBits + 1] / m);
        for (var k = RemainingBits; k >= 1; k--)
        {
            z = 0.5 * (z + counts[k]);
        }
        z += m * Sigma(counts[0] / m);
        return m * m / (2 * Math.Log(2)) / z;
    }

    private static double Sigma(double x)
    {
        if (x == 1)
        {
            return double.PositiveInfinity;
        }
        double y = 1, z = x, previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        }
        while (z != previous);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0 || x == 1)
        {
            return 0;
        }
        double y = 1, z = 1 - x, previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        }
        while (z != previous);
        return z / 3;
    }

    /// <summary>A 64-bit hash of the visitor id (FNV-1a over its UTF-8, then MurmurHash3's finaliser so every bit depends on every byte).</summary>
    public static ulong Hash(string visitorId)
    {
        var hash = 14695981039346656037UL;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(visitorId) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(visitorId, buffer)]
            : Encoding.UTF8.GetBytes(visitorId);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        return hash ^ (hash >> 33);
    }
}
