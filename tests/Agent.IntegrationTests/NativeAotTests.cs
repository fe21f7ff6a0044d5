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
        var (binary, output, _) = await NativeBuild.Get();
        Assert.DoesNotContain("warning IL", output, StringComparison.Ordinal); // trim/AOT clean
        Assert.True(File.Exists(binary));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(binary)!, "agent.dll")), "a native publish has no IL assembly");
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Sampling:Interval"] = "00:00:00.200" });
        using var health = await agent.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("application/json; charset=utf-8", health.Content.Headers.ContentType?.ToString());
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up") == 1, TimeSpan.FromSeconds(10), "native agent samples itself");
        var m = await agent.Metrics();
        Assert.Equal(agent.Process.Pid.ToString(), m.Named("target_process_info").Single()["pid"]);
        Assert.True(m.Value("target_process_resident_memory_bytes") > 0);

        // EventPipe (TraceEvent's dynamic parser) works in the native build against a real .NET target.
        await using var target = await DotnetTarget.Start();
        var artifacts = Path.Combine(Path.GetTempPath(), $"agent-native-heap-{Guid.NewGuid():N}");
        await using var watcher = await AgentProcess.Start(
            new Dictionary<string, string>
            {
                ["Target:Pid"] = target.Pid.ToString(),
                ["Sampling:Interval"] = "00:00:00.250",
                ["Security:DiagnosticsToken"] = "diag-t0ken-for-tests-0123456789",
                ["Diagnostics:Directory"] = artifacts,
                ["Diagnostics:MinFreeBytes"] = "0",
            });
        var own = await target.Command("gc 3");
        await Poll.Until(async () => (await watcher.Metrics()).Value("target_dotnet_gc_collections_total", "generation", "gen2") == own["gen2"], TimeSpan.FromSeconds(15), "native agent reads .NET counters");

        // The heap summary's hand-read GC heap-walk events, in the native build.
        try
        {
            var held = (await target.Command("hold 50000"))["markers"];
            using var http = DiagnosticsTests.Authorized(watcher);
            using var post = await http.PostAsync("/diag/heap?target=app", null);
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
            var id = System.Text.Json.JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            Assert.Equal("done", (await DiagnosticsTests.WaitDone(http, id, 120)).GetProperty("state").GetString());
            var first = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/diag/artifacts/{id}")).RootElement.GetProperty("byCount")[0];
            Assert.Equal("HeapEvidenceMarker", first.GetProperty("type").GetString());
            Assert.InRange(first.GetProperty("count").GetInt64(), held, held + 10);
        }
        finally
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }
}
