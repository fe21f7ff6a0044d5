using System.Buffers;
using System.Text;
using Agent.Sampling;
using Agent.Telemetry;
using static Agent.Tests.History.HistoryData;

namespace Agent.Tests.Telemetry;

/// <summary>The OpenMetrics rewrite of the target counters' <c>_created</c> lines, on a body as the exporter writes it.</summary>
public class CountersCreatedTests
{
    private const string Body = """
        # TYPE target_process_cpu_seconds counter
        # UNIT target_process_cpu_seconds seconds
        target_process_cpu_seconds_total{mode="user",target="app"} 0.63
        target_process_cpu_seconds_created{mode="user",target="app"} 1796594474.0168605
        target_process_cpu_seconds_total{mode="user",target="web"} 2
        target_process_cpu_seconds_created{mode="user",target="web"} 1796594474.0168605
        target_restarts_total{target="app"} 1
        target_restarts_created{target="app"} 1796594474.01
        target_dotnet_exceptions_created{target="app"} 1796594474.0280616
        # EOF

        """;

    private static string Rewrite(string body, params TargetSnapshot[] targets)
    {
        var output = new ArrayBufferWriter<byte>();
        CountersCreated.Rewrite(Encoding.UTF8.GetBytes(body), new SamplingSnapshot(targets, T0), output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Only_target_process_created_lines_of_a_target_with_a_sample_take_its_counters_start()
    {
        var app = Snapshot(Sample(7, 1) with { CountersSinceSeconds = 1796590000.57 }, TimeSpan.Zero);

        var lines = Rewrite(Body, app).Split('\n');

        Assert.Contains("target_process_cpu_seconds_created{mode=\"user\",target=\"app\"} 1796590000.57", lines);
        Assert.Contains("target_process_cpu_seconds_created{mode=\"user\",target=\"web\"} 1796594474.0168605", lines); // not in the snapshot: kept
        Assert.Contains("target_restarts_created{target=\"app\"} 1796594474.01", lines); // restarts are counted since the agent started
        Assert.Contains("target_dotnet_exceptions_created{target=\"app\"} 1796594474.0280616", lines);
        Assert.Equal(Body.Split('\n').Length, lines.Length);
    }

    [Fact]
    public void A_body_without_such_lines_is_copied_byte_for_byte()
    {
        var body = Body.Replace("target_process_cpu_seconds_created", "x_created", StringComparison.Ordinal);

        Assert.Equal(body, Rewrite(body, Snapshot(Sample(7, 1) with { CountersSinceSeconds = 1 }, TimeSpan.Zero)));
        Assert.Equal("no newline at the end", Rewrite("no newline at the end"));
    }
}
