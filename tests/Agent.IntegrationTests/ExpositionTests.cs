using System.Diagnostics;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

public sealed class ExpositionTests
{
    [Fact]
    public async Task Promtool_accepts_a_real_metrics_response()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Sampling:Interval"] = "00:00:00.200" });
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up") == 1, TimeSpan.FromSeconds(10), "self sampled");
        var text = await agent.MetricsText();

        var psi = new ProcessStartInfo("promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = Process.Start(psi)!;
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();

        Assert.True(promtool.ExitCode == 0, $"promtool exit {promtool.ExitCode}: {output}");
        // Every contract family is present while the target (the agent itself) is up.
        var families = Exposition.Parse(text).Select(s => s.Name).ToHashSet();
        string[] contract =
        [
            "target_up", "target_process_info", "target_restarts_total", "target_process_cpu_seconds_total",
            "target_process_resident_memory_bytes", "target_process_resident_memory_peak_bytes",
            "target_process_virtual_memory_bytes", "target_process_swap_bytes", "target_process_threads",
            "target_process_open_fds", "target_process_max_fds", "target_process_start_time_seconds",
            "target_process_io_read_bytes_total", "target_process_io_write_bytes_total",
            "target_process_context_switches_total", "target_process_page_faults_total", "target_processes",
        ];
        Assert.Empty(contract.Except(families));
        // The agent's own metrics keep their own names and never use the target_ prefix.
        Assert.Contains("process_cpu_time_seconds_total", families);
        Assert.Contains("dotnet_gc_collections_total", families);
    }

    [Fact]
    public async Task Self_mode_warns_once_how_to_point_the_agent_at_a_target()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>());
        var m = await agent.Metrics();

        Assert.Equal(agent.Process.Pid.ToString(), m.Named("target_process_info").Single()["pid"]);
        await Poll.Until(() => agent.Process.Stderr.Contains("watching itself", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "self warning");
        // Once over time, not once so far: five more ticks (1 s each, the default) go by.
        await HistoryPoints.WaitForMore(agent.Http, 5, "the warning");
        Assert.Single(agent.Process.Stderr.Split('\n'), l => l.Contains("watching itself", StringComparison.Ordinal));
        Assert.Contains("\"LogLevel\":\"Warning\"", agent.Process.Stderr.Split('\n').First(l => l.Contains("watching itself", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
