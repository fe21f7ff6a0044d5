using Agent.Capabilities;
using Agent.Configuration;
using Agent.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Agent.IntegrationTests;

/// <summary>The capability report against real targets: a .NET process, a Python process serving its own metrics.</summary>
public sealed class CapabilityReportTests
{
    private static AgentSettings Settings(params (string Key, string Value)[] values) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static Capability Item(CapabilityReport r, string name) => r.Items.Single(i => i.Name == name);

    [Fact]
    public async Task A_dotnet_target_answers_on_its_diagnostic_socket()
    {
        // The file system's clock, not the process's: a socket's mtime is when the runtime made it.
        var before = DateTime.UtcNow.AddSeconds(-2);
        await using var target = await DotnetTarget.Start();
        // Independent of the agent's search: the runtime's own socket file, by its documented name,
        // made since the target started (a killed runtime's socket stays, and pids are reused: one
        // under this pid from 4 hours earlier was the first match once).
        var socket = await Poll.Until(() => Task.FromResult(Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{target.Pid}-*-socket").FirstOrDefault(f => File.GetLastWriteTimeUtc(f) >= before)), TimeSpan.FromSeconds(10), "the runtime's socket made since the target started");

        var r = await CapabilityInspector.InspectAsync("/proc", target.Pid, Settings(), CancellationToken.None);

        var s = Item(r, "dotnet_diagnostic_socket");
        Assert.Equal(CapabilityStatus.Available, s.Status);
        Assert.Contains(Path.GetFileName(socket), s.Detail, StringComparison.Ordinal);
        Assert.Equal(Environment.UserName == "root" ? 0 : r.AgentUid, r.TargetUid);
        Assert.All(r.Items.Where(i => i.Name is "stat" or "io" or "fd" or "smaps_rollup"), i => Assert.Equal(CapabilityStatus.Available, i.Status));

        // The runtime still serves its own tools after the check (the check closed cleanly).
        var own = await target.Command("gc 1");
        Assert.True(own["gen2"] >= 1);
    }

    [Fact]
    public async Task A_python_target_has_no_socket_and_its_own_metrics_are_reachable()
    {
        var port = Net.FreePort();
        await using var python = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "prom_target.py"), port.ToString()]);
        await python.WaitForOutput("ready", TimeSpan.FromSeconds(20));

        var r = await CapabilityInspector.InspectAsync("/proc", python.Pid, Settings(("Runtime:MetricsUrl", $"http://127.0.0.1:{port}/metrics")), CancellationToken.None);

        Assert.Equal(CapabilityStatus.NotApplicable, Item(r, "dotnet_diagnostic_socket").Status);
        Assert.Equal(CapabilityStatus.Available, Item(r, "federation_url").Status);
        Assert.Contains("HTTP 200", Item(r, "federation_url").Detail, StringComparison.Ordinal);

        python.Kill();
        var gone = await CapabilityInspector.InspectAsync("/proc", python.Pid, Settings(), CancellationToken.None);
        Assert.Equal(CapabilityStatus.Unavailable, Assert.Single(gone.Items).Status);
    }
}
