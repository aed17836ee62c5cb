using System.Buffers;
using System.Text.Json;

namespace Utmost.Storage.ClickHouse;

/// <summary>Rows for ClickHouse's JSONEachRow input (<see cref="ClickHouseClient.InsertAsync"/>): one JSON object a line.</summary>
public sealed class JsonEachRow : IDisposable
{
    private readonly ArrayBufferWriter<byte> _body = new();
    private readonly Utf8JsonWriter _writer;

    public JsonEachRow() => _writer = new Utf8JsonWriter(_body);

    public ReadOnlyMemory<byte> Written => _body.WrittenMemory;

    /// <summary>Writes one row, whose properties <paramref name="write"/> writes.</summary>
    public void Add(Action<Utf8JsonWriter> write)
    {
        _writer.WriteStartObject();
        write(_writer);
        _writer.WriteEndObject();
        _writer.Flush();
        _body.Write("\n"u8);
        _writer.Reset();
    }

    public void Dispose() => _writer.Dispose();
}
