using System.Diagnostics;
using System.Net;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The shipped build: scripts/publish-native.sh is the command the Dockerfile runs. This test runs
/// it, starts the native binary and reads its endpoints.
/// </summary>
public sealed class NativeAotTests
{
    [Fact]
    public async Task The_native_binary_publishes_starts_and_serves()
    {
        var (binary, output) = await NativeBuild.Get();
        Assert.DoesNotContain("warning IL", output, StringComparison.Ordinal); // trim/AOT clean
        Assert.True(File.Exists(binary));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(binary)!, "agent.dll")), "a native publish has no IL assembly");
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Sampling:Interval"] = "00:00:00.200" }, executable: binary);
        using var health = await agent.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("application/json; charset=utf-8", health.Content.Headers.ContentType?.ToString());
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up") == 1, TimeSpan.FromSeconds(10), "native agent samples itself");
        var m = await agent.Metrics();
        Assert.Equal(agent.Process.Pid.ToString(), m.Named("target_process_info").Single()["pid"]);
        Assert.True(m.Value("target_process_resident_memory_bytes") > 0);

        // EventPipe (TraceEvent's dynamic parser) works in the native build against a real .NET target.
        await using var target = await DotnetTarget.Start();
        await using var watcher = await AgentProcess.Start(new Dictionary<string, string> { ["Target:Pid"] = target.Pid.ToString(), ["Sampling:Interval"] = "00:00:00.250" }, executable: binary);
        var own = await target.Command("gc 3");
        await Poll.Until(async () => (await watcher.Metrics()).Value("target_dotnet_gc_collections_total", "generation", "gen2") == own["gen2"], TimeSpan.FromSeconds(15), "native agent reads .NET counters");
    }
}
