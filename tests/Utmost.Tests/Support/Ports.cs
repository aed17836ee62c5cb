using System.Net;
using System.Net.Sockets;

namespace Utmost.Tests.Support;

/// <summary>Free TCP ports on the loopback interface, for the throw-away servers the tests start.</summary>
public static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
