using System.Diagnostics;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

public sealed class TargetRestartTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("restart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_new_process_with_the_same_name_is_followed_and_counted_once()
    {
        var interval = TimeSpan.FromMilliseconds(500);
        var name = "restart-target";
        var exe = Path.Combine(_dir, name);
        ExecutableCopy.Make("/bin/sleep", exe);

        await using var first = ChildProcess.Start(exe, ["300"]);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:ProcessName"] = name,
            ["Sampling:Interval"] = "00:00:00.500",
        });
        await Poll.Until(async () => (await agent.Metrics()).Named("target_process_info").Any(s => s["pid"] == first.Pid.ToString()), TimeSpan.FromSeconds(10), "first target seen");
        var before = (await agent.Metrics()).Value("target_restarts_total");
        Assert.Equal(0, before);

        first.Kill();
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up") == 0, TimeSpan.FromSeconds(10), "target_up 0 after kill");
        var down = await agent.Metrics();
        // No stale values: exactly the families the README lists for "no target".
        Assert.Equal(
            ["target_info", "target_restarts_oom_killed_total", "target_restarts_total", "target_runtime_connected", "target_up"],
            down.Where(s => s.Name.StartsWith("target_", StringComparison.Ordinal)).Select(s => s.Name).Distinct().Order());
        Assert.Equal(0, down.Value("target_runtime_connected", "runtime", "dotnet"));

        var started = Stopwatch.StartNew();
        await using var second = ChildProcess.Start(exe, ["300"]);
        await Poll.Until(async () => (await agent.Metrics()).Named("target_process_info").Any(s => s["pid"] == second.Pid.ToString()), TimeSpan.FromSeconds(10), "second target seen", TimeSpan.FromMilliseconds(20));
        var took = started.Elapsed;

        // 3 intervals, plus the exporter's 300 ms response cache.
        TimingReport.Write(output, "a new process with the same name seen", took, (3 * interval) + TimeSpan.FromMilliseconds(300));
        Assert.True(took <= (3 * interval) + TimeSpan.FromMilliseconds(300), $"new target seen after {took.TotalMilliseconds:F0} ms");
        var after = await agent.Metrics();
        Assert.Equal(1, after.Value("target_up"));
        Assert.Equal(before + 1, after.Value("target_restarts_total"));
        Assert.DoesNotContain(after, s => s.Labels.Values.Contains(first.Pid.ToString()));
        var oracle = await Psutil.Read(second.Pid);
        Assert.Equal(oracle.GetProperty("create_time").GetDouble(), after.Value("target_process_start_time_seconds")!.Value, 0.02);
    }
}
