using System.Net;
using System.Net.Sockets;

namespace Utmost.Tests.Support;

/// <summary>Free TCP ports on the loopback interface, for the throw-away servers the tests start.</summary>
public static class Ports
{
    // The system may offer a port again once its probe closed, before the server it was meant for has bound it:
    // never hand out the same one twice, so servers started side by side cannot collide.
    private static readonly HashSet<int> Given = [];

    public static int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
