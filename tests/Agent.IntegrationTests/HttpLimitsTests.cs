using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// The README's "Security and limits", each at its boundary on the real binary: 64 request headers,
/// 16 KiB of headers, a 4 KiB request line, no endpoint taking a body, no Server header, and an
/// idle connection cut after 20 s. The numbers are the README's, written here, not read from the code.
/// </summary>
public sealed class HttpLimitsTests(ITestOutputHelper output)
{
    private const int Headers = 64;
    private const int HeaderBytes = 16 * 1024;
    private const int RequestLine = 4 * 1024;
    private const int Body = 4 * 1024;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(20);

    /// <summary>One request on a fresh connection; the status line of the answer.</summary>
    private static async Task<string> Status(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[4096];
        var n = await stream.ReadAsync(buffer, cts.Token);
        var text = Encoding.ASCII.GetString(buffer, 0, n);
        return text.Split("\r\n")[0];
    }

    /// <summary>GET /health with <paramref name="count"/> header lines in all (Host and Connection included), padded to <paramref name="bytes"/> bytes of header lines if given.</summary>
    private static string WithHeaders(int count, int? bytes = null)
    {
        var lines = new List<string> { "Host: x\r\n", "Connection: close\r\n" };
        for (var i = lines.Count; i < count; i++)
        {
            lines.Add($"X-{i}: v\r\n");
        }

        if (bytes is { } total)
        {
            var pad = total - lines.Sum(l => l.Length);
            var last = lines[^1];
            lines[^1] = last[..^2] + new string('p', pad) + "\r\n";
        }

        Assert.Equal(count, lines.Count);
        Assert.Equal(bytes ?? lines.Sum(l => l.Length), lines.Sum(l => l.Length));
        return "GET /health HTTP/1.1\r\n" + string.Concat(lines) + "\r\n";
    }

    [Fact]
    public async Task Header_count_header_size_and_request_line_are_refused_one_past_their_limit()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>());
        var port = agent.Port;

        Assert.Equal("HTTP/1.1 200 OK", await Status(port, WithHeaders(Headers)));
        Assert.StartsWith("HTTP/1.1 431", await Status(port, WithHeaders(Headers + 1)), StringComparison.Ordinal);

        // 16 KiB of header lines (each with its CRLF), in few headers so that the count is no issue.
        Assert.Equal("HTTP/1.1 200 OK", await Status(port, WithHeaders(3, HeaderBytes)));
        Assert.StartsWith("HTTP/1.1 431", await Status(port, WithHeaders(3, HeaderBytes + 1)), StringComparison.Ordinal);

        // The request line, its CRLF included: "GET /health?q=... HTTP/1.1\r\n".
        string Line(int length) => "GET /health?q=" + new string('a', length - "GET /health?q= HTTP/1.1\r\n".Length) + " HTTP/1.1\r\n";
        Assert.Equal(RequestLine, Line(RequestLine).Length);
        Assert.Equal("HTTP/1.1 200 OK", await Status(port, Line(RequestLine) + "Host: x\r\nConnection: close\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 414", await Status(port, Line(RequestLine + 1) + "Host: x\r\nConnection: close\r\n\r\n"), StringComparison.Ordinal);
        Assert.False(agent.Process.HasExited);
    }

    [Fact]
    public async Task No_endpoint_takes_a_body_and_no_answer_names_the_server()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>());

        // Routing answers before any body is read: a POST is 405 whatever its size, so Kestrel's
        // 4 KiB body cap is a second line that no request reaches (README says so).
        var small = await Status(agent.Port, $"POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {Body}\r\n\r\n{new string('b', Body)}");
        var over = await Status(agent.Port, $"POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {Body + 1}\r\n\r\n{new string('b', Body + 1)}");

        Assert.Equal("HTTP/1.1 405 Method Not Allowed", small);
        Assert.Equal("HTTP/1.1 405 Method Not Allowed", over);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);

        foreach (var path in new[] { "/health", "/metrics", "/ready", "/", "/nope" })
        {
            using var r = await agent.Http.GetAsync(path);
            Assert.False(r.Headers.Contains("Server"), $"{path} names the server: {string.Join(",", r.Headers.Server)}");
        }
    }

    [Fact]
    public async Task An_idle_connection_is_cut_after_20_seconds_not_before()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>());
        using var idle = new TcpClient();
        await idle.ConnectAsync(IPAddress.Loopback, agent.Port);
        var opened = Stopwatch.StartNew();

        // Reading returns 0 when the agent closes the connection.
        var n = await idle.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        var cut = opened.Elapsed;

        Assert.Equal(0, n);
        TimingReport.Write(output, "idle connection cut after", cut, Idle + TimeSpan.FromSeconds(10));
        // Kestrel checks timeouts on a 1 s heartbeat: at 20 s, plus up to a beat and a loaded machine's delay.
        Assert.InRange(cut, Idle - TimeSpan.FromMilliseconds(200), Idle + TimeSpan.FromSeconds(10));
        Assert.False(agent.Process.HasExited);
    }
}
