using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Utmost.Core.Common;

/// <summary>
/// Opaque identifiers: UUIDv7 strings, time-ordered so they index well on every backend. Ids made in the same
/// millisecond by this process increase (RFC 9562, method 1: a 12-bit counter in rand_a), so "newest first"
/// stays in creation order even when timestamps tie.
/// </summary>
public static class Ids
{
    private const int MaxCounter = 0xFFF;
    private static readonly Lock Gate = new();
    private static long _lastMs = -1;
    private static int _counter;

    public static string New() => New(DateTimeOffset.UtcNow);

    public static string New(DateTimeOffset at)
    {
        var ms = Math.Max(0, at.ToUnixTimeMilliseconds());
        int counter;
        lock (Gate)
        {
            if (ms > _lastMs)
            {
                // A fresh millisecond starts the counter low, leaving room to count up within it.
                _lastMs = ms;
                _counter = RandomNumberGenerator.GetInt32(0, 0x400);
            }
            else if (_lastMs - ms < 1000)
            {
                // The same (or a slightly earlier) millisecond: continue after the last id, moving on when the counter is spent.
                if (++_counter > MaxCounter)
                {
                    _lastMs++;
                    _counter = 0;
                }
                ms = _lastMs;
            }
            else
            {
                // A backfilled timestamp far in the past: ordered by its own time only.
                return Format(ms, RandomNumberGenerator.GetInt32(0, MaxCounter + 1));
            }
            counter = _counter;
        }
        return Format(ms, counter);
    }

    private static string Format(long ms, int counter)
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, ms << 16);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
