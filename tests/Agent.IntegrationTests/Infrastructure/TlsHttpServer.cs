using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>An HTTPS server (TLS by SslStream) answering every request with 200 and closing.</summary>
internal sealed class TlsHttpServer(X509Certificate2 certificate) : LoopbackListener((s, ct) => Serve(certificate, s, ct))
{
    private static async Task Serve(X509Certificate2 certificate, Socket socket, CancellationToken ct)
    {
        // Each connection on its own task: a client that fails the handshake must not stall the next.
        _ = Task.Run(
            async () =>
            {
                using (socket)
                {
                    try
                    {
                        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
                        _ = await tls.ReadAsync(new byte[4096], ct);
                        await tls.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), ct);
                    }
                    catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException)
                    {
                        // The client refused the certificate: that is the point of some tests.
                    }
                }
            },
            CancellationToken.None);
        await Task.CompletedTask;
    }
}
