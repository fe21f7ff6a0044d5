using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>Hostile HTTP clients: proper 4xx, bounded resources, never a crash.</summary>
public sealed class HttpAbuseTests(ITestOutputHelper output)
{
    private static async Task<string> Raw(int port, string request, TimeSpan? deadline = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var cts = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var n = await stream.ReadAsync(buffer, cts.Token);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }

    [Fact]
    public async Task Oversized_and_malformed_requests_get_4xx_and_the_agent_keeps_serving()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Sampling:Interval"] = "00:00:00.200" });

        var hugeHeader = await Raw(agent.Port, $"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 64 * 1024)}\r\n\r\n");
        var manyHeaders = await Raw(agent.Port, "GET /health HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"X-{i}: v\r\n")) + "\r\n");
        var hugeUrl = await Raw(agent.Port, $"GET /{new string('a', 16 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n");
        var garbage = await Raw(agent.Port, "\x01\x02 NOT HTTP AT ALL\r\n\r\n");
        var body = await Raw(agent.Port, "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + new string('b', 1000));
        var badAccept = await Raw(agent.Port, "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/garbage;;;q=abc, */*;version=\u00e9\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431", hugeHeader, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 431", manyHeaders, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 414", hugeUrl, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", garbage, StringComparison.Ordinal);
        Assert.Matches("^HTTP/1.1 (405|413)", body);
        Assert.Matches("^HTTP/1.1 (200|400|406)", badAccept); // unknown media types fall back to the text format
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);
        Assert.False(agent.Process.HasExited);
    }

    [Fact]
    public async Task Slow_and_idle_connections_are_cut_and_cannot_exhaust_the_agent()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Sampling:Interval"] = "00:00:00.200" });
        var rssBefore = Suite.Rss(agent.Process.Pid);

        // 600 connections that never send a byte, and one slowloris sending a header byte a second.
        var idle = new List<TcpClient>();
        for (var i = 0; i < 600; i++)
        {
            var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, agent.Port);
            idle.Add(c);
        }

        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, agent.Port);
        var slowStream = slow.GetStream();
        var slowClosed = Task.Run(async () =>
        {
            try
            {
                foreach (var b in Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + new string('z', 60)))
                {
                    await slowStream.WriteAsync(new[] { b });
                    await Task.Delay(1000);
                }
            }
            catch (IOException)
            {
                return true; // the server closed it
            }

            return false;
        });

        // A started request must complete its headers within RequestHeadersTimeout (5 s); a
        // connection that sends nothing is closed after KeepAliveTimeout (20 s); past 512
        // connections new ones are refused at once.
        Assert.True(await slowClosed.WaitAsync(TimeSpan.FromSeconds(30)), "the slowloris connection was not cut");
        int Closed() => idle.Count(c =>
        {
            try
            {
                return c.Client.Poll(0, SelectMode.SelectRead) && c.Client.Available == 0; // readable with no data: closed
            }
            catch (SocketException)
            {
                return true;
            }
        });
        await Poll.Until(() => Closed() == idle.Count, TimeSpan.FromSeconds(40), "every idle connection closed by the agent");
        var closed = Closed();
        idle.ForEach(c => c.Dispose());
        using (var fresh = new HttpClient { BaseAddress = agent.Http.BaseAddress })
        {
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/health")).StatusCode);
        }

        var rssAfter = Suite.Rss(agent.Process.Pid);
        output.WriteLine($"idle connections closed by the agent: {closed}/600; RSS {rssBefore / 1048576.0:F1} -> {rssAfter / 1048576.0:F1} MiB");
        Assert.Equal(600, closed);
        Assert.True(rssAfter - rssBefore < 64L * 1024 * 1024, "memory stayed bounded");
        Assert.False(agent.Process.HasExited);
    }
}
