using System.Net;
using System.Text;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

public sealed class OtlpTests
{
    [Fact]
    public async Task Metrics_are_pushed_as_otlp_http_protobuf_while_prometheus_stays_on()
    {
        var port = Net.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Otlp:Endpoint"] = $"http://127.0.0.1:{port}",
            ["Otlp:ExportInterval"] = "00:00:00.500",
            ["Otlp:Headers"] = "x-api-key=otlp-secret-123",
            ["Sampling:Interval"] = "00:00:00.200",
        });

        var received = await Task.Run(async () =>
        {
            while (true)
            {
                var context = await listener.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(20));
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var request = (context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType, context.Request.Headers["x-api-key"], body.ToArray());
                context.Response.StatusCode = 200;
                context.Response.Close();
                // Metric names are protobuf strings: wait for a batch carrying the target's sample
                // (target.up alone is also in batches exported before the first tick).
                if (Encoding.UTF8.GetString(request.Item5).Contains("target.process.cpu", StringComparison.Ordinal))
                {
                    return request;
                }
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("POST", received.HttpMethod);
        Assert.Equal("/v1/metrics", received.AbsolutePath);
        Assert.Equal("application/x-protobuf", received.ContentType);
        Assert.Equal("otlp-secret-123", received.Item4);
        Assert.Contains("target.process.cpu", Encoding.UTF8.GetString(received.Item5), StringComparison.Ordinal);
        Assert.Equal(1, (await agent.Metrics()).Value("target_up"));
        Assert.DoesNotContain("otlp-secret-123", agent.Process.Stdout + agent.Process.Stderr, StringComparison.Ordinal);
    }
}
