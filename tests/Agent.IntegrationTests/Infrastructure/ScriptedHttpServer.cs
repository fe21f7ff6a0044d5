using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback HTTP/1.1 origin that answers each request by its path (<c>/status/418</c> → 418,
/// <c>/redirect</c> → 302 to <c>/status/200</c>) and records every request line it received.
/// </summary>
internal sealed class ScriptedHttpServer : LoopbackListener
{
    private readonly ConcurrentQueue<string> _requests;

    public ScriptedHttpServer()
        : this(new ConcurrentQueue<string>())
    {
    }

    private ScriptedHttpServer(ConcurrentQueue<string> requests)
        : base((s, ct) =>
        {
            _ = Serve(s, requests, ct); // one task per connection; the accept loop goes on
            return Task.CompletedTask;
        })
    {
        _requests = requests;
    }

    /// <summary>Request lines received ("GET /status/204 HTTP/1.1"), in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    private static async Task Serve(Socket s, ConcurrentQueue<string> requests, CancellationToken ct)
    {
        using (s)
        {
            var buffer = new byte[8192];
            var have = 0;
            try
            {
                while (true)
                {
                    var text = Encoding.ASCII.GetString(buffer, 0, have);
                    var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (end < 0)
                    {
                        var n = await s.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, ct);
                        if (n == 0 || (have += n) == buffer.Length)
                        {
                            return;
                        }

                        continue;
                    }

                    var requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
                    requests.Enqueue(requestLine);
                    var path = requestLine.Split(' ')[1];
                    var (code, extra) = path switch
                    {
                        "/redirect" => (302, "Location: /status/200\r\n"),
                        _ when path.StartsWith("/status/", StringComparison.Ordinal) => (int.Parse(path["/status/".Length..]), ""),
                        _ => (404, ""),
                    };
                    await s.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {code} X\r\n{extra}Content-Length: 0\r\n\r\n"), SocketFlags.None, ct);
                    Buffer.BlockCopy(buffer, end + 4, buffer, 0, have - end - 4);
                    have -= end + 4;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
            }
        }
    }
}

/// <summary>A loopback TCP peer that sends back every byte it receives.</summary>
internal sealed class EchoServer() : LoopbackListener((s, ct) =>
{
    _ = Echo(s, ct);
    return Task.CompletedTask;
})
{
    private static async Task Echo(Socket s, CancellationToken ct)
    {
        using (s)
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                {
                    await s.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
            }
        }
    }
}
