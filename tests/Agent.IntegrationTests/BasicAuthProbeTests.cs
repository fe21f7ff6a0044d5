using System.Net.Sockets;
using System.Text;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// <c>Probes:x:Url=http://user:password@host/...</c>: the credentials are sent as Basic
/// authentication (a server that requires them answers 200), and appear in no output.
/// </summary>
public sealed class BasicAuthProbeTests
{
    [Fact]
    public async Task Url_credentials_are_sent_as_basic_authentication_and_never_shown()
    {
        const string Password = "S3cret-p@ss";
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Password));
        await using var server = new BasicAuthServer(expected);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Readiness:RequireTarget"] = "false",
            ["Probes:web:Kind"] = "http",
            ["Probes:web:Url"] = $"http://alice:{Uri.EscapeDataString(Password)}@127.0.0.1:{server.Port}/private",
            ["Probes:web:Period"] = "00:00:00.500",
            ["Probes:wrong:Kind"] = "http",
            ["Probes:wrong:Url"] = $"http://alice:nope-wrong@127.0.0.1:{server.Port}/private",
            ["Probes:wrong:Period"] = "00:00:00.500",
            ["Probes:wrong:Critical"] = "false",
        });

        await Poll.Until(async () => (await agent.ReadyEntry("web")).GetProperty("status").GetString() == "Healthy", TimeSpan.FromSeconds(20), "the probe with the right credentials is healthy");
        await Poll.Until(async () => await agent.ReadyReason("wrong") == "http_status", TimeSpan.FromSeconds(20), "the probe with wrong credentials fails with the server's 401");

        Assert.Contains(expected, server.Authorizations);
        Assert.DoesNotContain(server.RequestLines, l => l.Contains("alice", StringComparison.Ordinal)); // not in the request target either
        var everything = (await agent.Ready()).Raw + await agent.MetricsText() + agent.Process.Stdout + agent.Process.Stderr;
        Assert.DoesNotContain(Password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(Password), everything, StringComparison.Ordinal);
        Assert.DoesNotContain(expected["Basic ".Length..], everything, StringComparison.Ordinal);
    }

    /// <summary>Answers 200 to a request whose Authorization header is the expected one, 401 otherwise.</summary>
    private sealed class BasicAuthServer : LoopbackListener
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Line, string? Authorization)> _seen;

        public BasicAuthServer(string expected)
            : this(expected, new())
        {
        }

        private BasicAuthServer(string expected, System.Collections.Concurrent.ConcurrentQueue<(string, string?)> seen)
            : base(Handler(expected, seen)) => _seen = seen;

        public IEnumerable<string?> Authorizations => _seen.Select(s => s.Authorization);

        public IEnumerable<string> RequestLines => _seen.Select(s => s.Line);

        private static Func<Socket, CancellationToken, Task> Handler(string expected, System.Collections.Concurrent.ConcurrentQueue<(string, string?)> seen) => (s, ct) =>
        {
            _ = Serve(s, expected, seen, ct);
            return Task.CompletedTask;
        };

        private static async Task Serve(Socket s, string expected, System.Collections.Concurrent.ConcurrentQueue<(string, string?)> seen, CancellationToken ct)
        {
            using (s)
            {
                var buffer = new byte[8192];
                var have = 0;
                try
                {
                    while (!Encoding.ASCII.GetString(buffer, 0, have).Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var n = await s.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, ct);
                        if (n == 0 || (have += n) == buffer.Length)
                        {
                            return;
                        }
                    }

                    var lines = Encoding.ASCII.GetString(buffer, 0, have).Split("\r\n");
                    var authorization = lines.FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))?["Authorization:".Length..].Trim();
                    seen.Enqueue((lines[0], authorization));
                    var code = authorization == expected ? "200 OK" : "401 Unauthorized";
                    await s.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {code}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), SocketFlags.None, ct);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
                {
                }
            }
        }
    }
}
