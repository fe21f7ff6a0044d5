using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

public sealed class OtlpTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("otlp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Metrics_are_pushed_as_otlp_http_protobuf_while_prometheus_stays_on()
    {
        // A target whose values are known: one thread, and a start time the kernel states.
        await using var target = ChildProcess.Start("/bin/sleep", ["300"]);
        var port = Net.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
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
        Assert.Equal(1, (await agent.Metrics()).Value("target_up"));
        Assert.DoesNotContain("otlp-secret-123", agent.Process.Stdout + agent.Process.Stderr, StringComparison.Ordinal);

        // Decoded by OpenTelemetry JS's protobuf code (tests/manifests/otlp-decode.mjs), not by
        // anything of the agent's: the payload is a valid ExportMetricsServiceRequest whose values
        // are the kernel's.
        var metrics = await Decode(received.Item5);
        var resource = metrics.GetProperty("resourceMetrics")[0];
        Assert.Contains(resource.GetProperty("resource").GetProperty("attributes").EnumerateArray(), a => a.GetProperty("key").GetString() == "service.name");
        var byName = resource.GetProperty("scopeMetrics").EnumerateArray()
            .SelectMany(s => s.GetProperty("metrics").EnumerateArray())
            .GroupBy(m => m.GetProperty("name").GetString()!)
            .ToDictionary(g => g.Key, g => g.First());

        Assert.Equal(1, Number(Point(byName["target.up"], "gauge")));
        Assert.Equal(1, Number(Point(byName["target.process.threads"], "gauge")));
        Assert.Equal(await Kernel.StartTime(target.Pid), Number(Point(byName["target.process.start_time"], "gauge")), 0.02);
        var cpu = byName["target.process.cpu"].GetProperty("sum");
        Assert.True(cpu.GetProperty("isMonotonic").GetBoolean());
        Assert.Equal("AGGREGATION_TEMPORALITY_CUMULATIVE", cpu.GetProperty("aggregationTemporality").GetString());
        Assert.Equal("s", byName["target.process.cpu"].GetProperty("unit").GetString());
        Assert.Contains(Point(byName["target.up"], "gauge").GetProperty("attributes").EnumerateArray(), a => a.GetProperty("key").GetString() == "target" && a.GetProperty("value").GetProperty("stringValue").GetString() == "app");
    }

    private async Task<JsonElement> Decode(byte[] body)
    {
        var file = Path.Combine(_dir, "body.bin");
        await File.WriteAllBytesAsync(file, body);
        var (code, output) = await Tool.Run("node", [Path.Combine(Repo.Root, "tests", "manifests", "otlp-decode.mjs"), file]);
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static JsonElement Point(JsonElement metric, string kind) => metric.GetProperty(kind).GetProperty("dataPoints")[0];

    private static double Number(JsonElement point) =>
        point.TryGetProperty("asDouble", out var d) ? d.GetDouble() : double.Parse(point.GetProperty("asInt").GetString()!, CultureInfo.InvariantCulture);
}
