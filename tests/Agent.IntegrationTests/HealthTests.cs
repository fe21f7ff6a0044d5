using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// /health is the agent's own liveness. A read of /proc can hang (a process in D state, a hung
/// FUSE mount): here procfs is a directory the test controls, and the target's <c>stat</c> becomes
/// a FIFO, whose open blocks until a writer comes: a real blocking read that stalls the loop.
/// </summary>
public sealed class HealthTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fakeproc-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Health_is_503_while_the_sampling_loop_is_stalled_and_200_when_it_recovers()
    {
        const int pid = 4242;
        var dir = Directory.CreateDirectory(Path.Combine(_root, pid.ToString())).FullName;
        var stat = Path.Combine(dir, "stat");
        var statLine = File.ReadAllText("/proc/self/stat").Replace($"{Environment.ProcessId} (", $"{pid} (", StringComparison.Ordinal);
        File.WriteAllText(stat, statLine);
        File.WriteAllText(Path.Combine(_root, "stat"), "btime 1700000000\n");

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = pid.ToString(),
            ["Sampling:Interval"] = "00:00:00.200",
            ["Sampling:ProcRoot"] = _root,
        });
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up") == 1, TimeSpan.FromSeconds(10), "fake target up");

        // Stall: replace stat by a FIFO (keeping a second name for it to release the reader later).
        var fifo = Path.Combine(_root, "stall-fifo");
        Assert.Equal(0, (await Tool.Run("mkfifo", [fifo])).ExitCode);
        File.Delete(stat);
        Assert.Equal(0, (await Tool.Run("ln", [fifo, stat])).ExitCode);

        var stalled = Stopwatch.StartNew();
        await Poll.Until(async () => (await agent.Http.GetAsync("/health")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(5), "/health 503");
        using (var r = await agent.Http.GetAsync("/health"))
        {
            var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
            Assert.Contains("stalled", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        Assert.True(stalled.Elapsed >= TimeSpan.FromMilliseconds(400), "503 only after the liveness window (3 intervals)");
        // Endpoints still answer while the loop hangs.
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/metrics")).StatusCode);

        // Recover: put a regular file back, then release the blocked open with a writer.
        File.Delete(stat);
        File.WriteAllText(stat, statLine);
        try
        {
            await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            await writer.WriteAsync(System.Text.Encoding.ASCII.GetBytes(statLine));
        }
        catch (IOException)
        {
            // The agent may close its end first (it reads /proc files by offset, which a FIFO
            // refuses): the writer then sees EPIPE. Either way the blocked open was released.
        }

        await Poll.Until(async () => (await agent.Http.GetAsync("/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(5), "/health 200 again");
    }

    [Fact]
    public async Task Health_does_not_depend_on_the_target_being_present()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:ProcessName"] = "no-such-process-anywhere",
            ["Sampling:Interval"] = "00:00:00.200",
        });

        using var r = await agent.Http.GetAsync("/health");
        var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.False(body.GetProperty("targetUp").GetBoolean());
        var m = await agent.Metrics();
        Assert.Equal(0, m.Value("target_up"));
        Assert.DoesNotContain(m, s => s.Name.StartsWith("target_process_", StringComparison.Ordinal));
    }
}
