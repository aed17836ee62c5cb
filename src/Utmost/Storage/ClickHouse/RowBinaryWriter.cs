using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Utmost.Storage.ClickHouse;

/// <summary>
/// Rows in ClickHouse's RowBinary format: every column in the order of the INSERT's column list, integers little
/// endian, strings as a LEB128 length and UTF-8 bytes, Nullable as one byte (1 = null) before the value. The
/// cheapest format for ClickHouse to read, which matters while it shares the machine with ingestion.
/// </summary>
public sealed class RowBinaryWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    public int Length => _buffer.WrittenCount;

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void UInt8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLength(length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    /// <summary>A string given as its UTF-8 bytes (as SQLite hands them out, with no detour through UTF-16).</summary>
    public void String(ReadOnlySpan<byte> utf8)
    {
        WriteLength(utf8.Length);
        _buffer.Write(utf8);
    }

    /// <summary>The marker before a Nullable value: null, or a value follows.</summary>
    public void IsNull(bool isNull) => UInt8(isNull ? (byte)1 : (byte)0);

    // LEB128: seven bits a byte, low bits first, the high bit set on every byte but the last.
    private void WriteLength(int length)
    {
        var span = _buffer.GetSpan(5);
        var written = 0;
        for (var rest = (uint)length; ; rest >>= 7)
        {
            span[written++] = (byte)(rest < 0x80 ? rest : (rest & 0x7F) | 0x80);
            if (rest < 0x80)
            {
                break;
            }
        }
        _buffer.Advance(written);
    }

    public void NullableString(string? value)
    {
        IsNull(value is null);
        if (value is not null)
        {
            String(value);
        }
    }

    public void NullableUInt64(ulong? value)
    {
        IsNull(value is null);
        if (value is { } v)
        {
            UInt64(v);
        }
    }
}
