using System.Net;
using System.Net.Sockets;

namespace Agent.Probes;

/// <summary>
/// Asks the network directly whether a dependency's port can be reached, for clients that report
/// a failed connect only as "unable to connect": a refused port, an unknown name and a silent
/// route each get their own reason.
/// </summary>
internal static class Reachability
{
    /// <summary>Null when a TCP connection was established (and closed again), else the classified failure.</summary>
    public static async Task<ProbeOutcome?> Connect(EndPoint endpoint, int defaultPort, IReadOnlyCollection<string> secrets, CancellationToken cancellationToken)
    {
        var (host, port) = endpoint switch
        {
            DnsEndPoint d => (d.Host, d.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => (endpoint.ToString() ?? string.Empty, defaultPort),
        };
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(host, port == 0 ? defaultPort : port, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return FailureClassifier.Classify(e, secrets);
        }
    }
}
