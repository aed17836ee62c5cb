using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Utmost.Tests.Support;

/// <summary>
/// A TCP proxy in front of a server that can lose answers: when armed, a request whose head contains a marker
/// reaches the server and is carried out there, but the connection is cut before the answer gets back, so the
/// client cannot know whether it succeeded (as when a server or network fails at just the wrong moment).
/// </summary>
public sealed class LossyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _answersToLose;
    private string _marker = "";
    private int _lost;

    public LossyProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>How many answers have been lost so far.</summary>
    public int Lost => Volatile.Read(ref _lost);

    /// <summary>Loses the answers to the next <paramref name="count"/> requests whose head contains <paramref name="marker"/>.</summary>
    public void LoseAnswers(string marker, int count)
    {
        _marker = marker;
        Volatile.Write(ref _answersToLose, count);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        }
        catch (SocketException)
        {
            return;
        }
        var toServer = client.GetStream();
        var toClient = upstream.GetStream();
        var loseNextAnswer = false;
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var requests = Pump(toServer, upstream.GetStream(), chunk =>
        {
            if (Volatile.Read(ref _answersToLose) > 0 && Encoding.ASCII.GetString(chunk).Contains(_marker, StringComparison.Ordinal))
            {
                loseNextAnswer = Interlocked.Decrement(ref _answersToLose) >= 0;
            }
            return true;
        }, cut.Token);
        var answers = Pump(toClient, client.GetStream(), _ =>
        {
            if (!loseNextAnswer)
            {
                return true;
            }
            Interlocked.Increment(ref _lost);
            return false;
        }, cut.Token);
        await Task.WhenAny(requests, answers);
        await cut.CancelAsync();
        client.Client.Close();
        upstream.Client.Close();
    }

    /// <summary>Copies bytes until either side closes, or <paramref name="forward"/> says to cut the connection.</summary>
    private static async Task Pump(Stream from, Stream to, Func<byte[], bool> forward, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, cancellationToken);
                if (read == 0 || !forward(buffer[..read]))
                {
                    return;
                }
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
