using System.Globalization;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// The .NET session under stress: another tool holding the runtime's metrics source (a real
/// dotnet-counters from NuGet, another agent), failed attaches against a stale socket, and
/// kill/restart cycles. The agent says connected 0 with the reason while nothing flows, recovers
/// by itself, and leaves no descriptor behind (counted by the kernel in /proc/&lt;agent&gt;/fd).
/// </summary>
public sealed class RuntimeSessionRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const string Token = "session-recovery-token-0123456789";
    private readonly string _dir = Directory.CreateTempSubdirectory("session-recovery-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static double? Connected(List<Series> m, string target = "app") =>
        m.Named("target_runtime_connected").Where(s => s["target"] == target && s["runtime"] == "dotnet").Select(s => (double?)s.Value).FirstOrDefault();

    private static bool AnyDotnet(List<Series> m) => m.Any(s => s.Name.StartsWith("target_dotnet_", StringComparison.Ordinal));

    private static Task<AgentProcess> StartAgent(string pattern, string interval, IDictionary<string, string>? extra = null) =>
        AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:CommandLinePattern"] = pattern,
            ["Sampling:Interval"] = interval,
            ["Diagnostics:Enabled"] = "true",
            ["Security:DiagnosticsToken"] = Token,
        }.Concat(extra ?? new Dictionary<string, string>()).ToDictionary());

    /// <summary>The dotnet_runtime_counters entry of /diag/capabilities for the primary target, or null.</summary>
    private static async Task<JsonElement?> CountersCapability(AgentProcess agent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/diag/capabilities");
        request.Headers.Authorization = new("Bearer", Token);
        using var r = await agent.Http.SendAsync(request);
        var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        foreach (var target in body.EnumerateArray())
        {
            if (target.TryGetProperty("access", out var access) && access.ValueKind == JsonValueKind.Object)
            {
                foreach (var item in access.GetProperty("items").EnumerateArray())
                {
                    if (item.GetProperty("name").GetString() == "dotnet_runtime_counters")
                    {
                        return item.Clone();
                    }
                }
            }
        }

        return null;
    }

    [Fact]
    public async Task Dotnet_counters_attached_first_is_reported_and_counters_flow_once_it_exits()
    {
        var tag = Guid.NewGuid().ToString("N");
        await using var target = await DotnetTarget.Start(tag: tag);
        var counters = await DotnetCounters.Collect(target.Pid, Path.Combine(_dir, "counters.csv"));
        await counters.WaitCollecting();
        await using var agent = await StartAgent(DotnetTarget.PatternFor(tag), "00:00:01");

        // Refused: the reason in /diag/capabilities, connected 0, no target_dotnet_* series, one log line.
        var (detail, fix) = await Refusal(agent, "/diag/capabilities names the refused session");
        Assert.Contains("another tool holds the runtime's metrics session", detail, StringComparison.Ordinal);
        Assert.Contains("dotnet-counters", fix, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(3)); // not synchronisation: a window in which retries would repeat the line
        var m = await agent.Metrics();
        Assert.Equal(0, Connected(m));
        Assert.False(AnyDotnet(m), "no target_dotnet_* while refused");
        Assert.True(Lines(agent, "sends the agent no counters") == 1, "one log line for the refusal: " + agent.Process.Stderr);
        // agent check says the same, from a session of its own.
        var check = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={target.Pid}"]);
        var item = check.Json.GetProperty("targets").EnumerateArray().Single().GetProperty("capabilities").GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "dotnet_runtime_counters");
        Assert.Equal("Unavailable", item.GetProperty("status").GetString());
        Assert.Contains("another tool holds the runtime's metrics session", item.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var collected = new FileInfo(counters.Output).Length;
        await Poll.Until(() => Task.FromResult(new FileInfo(counters.Output).Length > collected), TimeSpan.FromSeconds(10), "dotnet-counters itself still collects");

        await counters.DisposeAsync();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // The refused session is retried with backoff (1 s doubling to 30 s): at most 30 s plus an attach.
        await Poll.Until(async () => Connected(await agent.Metrics()) == 1, TimeSpan.FromSeconds(45), "connected 1 after dotnet-counters exited");
        output.WriteLine($"connected again {sw.ElapsedMilliseconds} ms after dotnet-counters exited");
        var own = await target.Command("gc 4");
        await Poll.Until(
            async () => (await agent.Metrics()).Named("target_dotnet_gc_collections_total").FirstOrDefault(s => s["generation"] == "gen2")?.Value >= own["gen2"],
            TimeSpan.FromSeconds(15),
            $"gen2 collections reach the target's own count {own["gen2"]}");
        Assert.Equal("Available", (await CountersCapability(agent))?.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Agents_with_equal_settings_share_the_session_and_one_with_another_interval_is_told_why()
    {
        var tag = Guid.NewGuid().ToString("N");
        await using var target = await DotnetTarget.Start(tag: tag);
        await using var first = await StartAgent(DotnetTarget.PatternFor(tag), "00:00:01");
        await Poll.Until(async () => Connected(await first.Metrics()) == 1, TimeSpan.FromSeconds(30), "first agent connected");
        await using var second = await StartAgent(DotnetTarget.PatternFor(tag), "00:00:01");
        await using var other = await StartAgent(DotnetTarget.PatternFor(tag), "00:00:02");

        // Shared: both see the target's own gen2 count.
        var own = await target.Command("gc 3");
        foreach (var agent in new[] { first, second })
        {
            await Poll.Until(
                async () => (await agent.Metrics()).Named("target_dotnet_gc_collections_total").FirstOrDefault(s => s["generation"] == "gen2")?.Value >= own["gen2"],
                TimeSpan.FromSeconds(30),
                $"agent on port {agent.Port}: gen2 collections reach the target's own count {own["gen2"]}");
        }

        var (detail, _) = await Refusal(other, "the agent at another interval names the refusal");
        Assert.Contains("interval 1 s", detail, StringComparison.Ordinal);
        Assert.Contains("interval 2 s", detail, StringComparison.Ordinal);
        Assert.Equal(0, Connected(await other.Metrics()));
        Assert.Equal(1, Connected(await first.Metrics()));
    }

    [Fact]
    public async Task Failed_attaches_against_a_stale_socket_leave_no_descriptor_behind()
    {
        // A live process whose exact socket name exists with nothing listening: what a killed
        // runtime leaves when its pid is reused. Every attach fails with "connection refused".
        var exe = ExecutableCopy.Make("/bin/sleep", Path.Combine(_dir, "stale-target"));
        await using var target = ChildProcess.Start(exe, ["600"]);
        var socket = Path.Combine("/tmp", $"dotnet-diagnostic-{target.Pid}-{StartTime(target.Pid)}-socket");
        // Bound and closed without listening, by Python: .NET unlinks a socket file it bound when it disposes the socket.
        var (code, text) = await Tool.Run("/usr/bin/python3", ["-c", "import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()", socket]);
        Assert.True(code == 0 && File.Exists(socket), "stale socket file made: " + text);

        try
        {
            // Without the shipped 1 MiB gen0 budget: frequent GCs would finalize leaked sockets and hide a leak.
            await using var agent = await AgentProcess.Start(
                new Dictionary<string, string> { ["Target:ProcessName"] = "stale-target", ["Sampling:Interval"] = "00:00:00.050" },
                env: new Dictionary<string, string?> { ["DOTNET_GCGen0MaxBudget"] = null });
            // strace writes to its stderr unbuffered (a file given with -o is flushed only at exit).
            await using var strace = ChildProcess.Start("strace", ["-f", "-qq", "-e", "trace=connect", "-e", "signal=none", "-p", agent.Process.Pid.ToString(CultureInfo.InvariantCulture)]);
            int Refused() => strace.Stderr.Split('\n').Count(l => l.Contains(socket, StringComparison.Ordinal) && l.Contains("ECONNREFUSED", StringComparison.Ordinal));
            await Poll.Until(() => Task.FromResult(Refused() >= 5), TimeSpan.FromSeconds(30), "strace sees the agent's refused connects (strace: " + strace.Stderr + "; agent: " + agent.Process.Stderr + ")");
            var before = Suite.Fds(agent.Process.Pid);
            var peak = before;
            await Poll.Until(
                () =>
                {
                    peak = Math.Max(peak, Suite.Fds(agent.Process.Pid));
                    return Task.FromResult(Refused() >= 205);
                },
                TimeSpan.FromSeconds(120),
                "200 more refused connects",
                TimeSpan.FromMilliseconds(20));
            var after = Suite.Fds(agent.Process.Pid);

            // Sampled every 20 ms during the attempts: a leaked socket per attempt shows in the peak
            // even when a GC finalizes them later (seen on the old code: 241 -> 456, then 228 after a GC).
            output.WriteLine($"failed attaches: {Refused()} refused connects seen by strace; agent fds {before} before, peak {peak}, {after} after");
            Assert.True(peak <= before + 5, $"fds peaked at {peak} (from {before}) during 200 failed attaches");
            Assert.Equal(1, Lines(agent, "Cannot attach to the .NET runtime"));
            Assert.Contains("is stale", agent.Process.Stderr, StringComparison.Ordinal); // the cause `agent check` gives
        }
        finally
        {
            File.Delete(socket);
        }
    }

    [Fact]
    public async Task Kill_and_restart_cycles_leave_no_descriptor_behind_and_no_warning()
    {
        var cycles = Suite.Pick(6, 20);
        var tag = Guid.NewGuid().ToString("N");
        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string> { ["Target:CommandLinePattern"] = DotnetTarget.PatternFor(tag), ["Sampling:Interval"] = "00:00:00.250", ["Readiness:RequireTarget"] = "false" },
            env: new Dictionary<string, string?> { ["DOTNET_GCGen0MaxBudget"] = null });
        var fds = new List<int>();
        var unconnected = new List<int>();
        for (var i = 0; i < cycles; i++)
        {
            var target = await DotnetTarget.Start(tag: tag);
            var pid = target.Pid.ToString(CultureInfo.InvariantCulture);
            await Poll.Until(
                async () =>
                {
                    var m = await agent.Metrics();
                    return Connected(m) == 1 && m.Named("target_dotnet_gc_allocated_bytes_total").Any() && m.Named("target_process_info").Any(s => s["pid"] == pid);
                },
                TimeSpan.FromSeconds(60),
                $"cycle {i}: counters of pid {pid} flowing");
            if (i % 2 == 0)
            {
                target.Process.Kill(); // SIGKILL: the runtime leaves its socket file behind
            }
            else
            {
                target.Process.Terminate();
            }

            await target.DisposeAsync();
            await Poll.Until(async () => !(await agent.Metrics()).Named("target_process_info").Any(s => s["pid"] == pid), TimeSpan.FromSeconds(10), $"cycle {i}: pid {pid} gone");
            fds.Add(Suite.Fds(agent.Process.Pid));
            unconnected.Add(UnconnectedUnixSockets(agent.Process.Pid));
        }

        // One count per cycle, after the pid is gone. What leaked was a client Unix socket whose connect
        // failed: the kernel lists it in /proc/net/unix as unconnected (St 01, not listening); that
        // count must not grow. All descriptors are printed too (the old code: +2 per kill, +1 per exit).
        output.WriteLine($"agent fds after each of {cycles} kill/exit cycles: {string.Join(", ", fds)}; unconnected Unix sockets: {string.Join(", ", unconnected)}");
        Assert.True(unconnected.Max() <= unconnected[0] + 1, $"unconnected Unix sockets grew over the cycles: {string.Join(", ", unconnected)} (fds {string.Join(", ", fds)})");
        Assert.True(fds[^1] - fds[0] < cycles, $"fds grew by one or more per cycle: {string.Join(", ", fds)}");
        Assert.Equal(0, Lines(agent, "Cannot attach to the .NET runtime"));
    }

    /// <summary>Polls /diag/capabilities until the counters entry is unavailable; its detail and fix.</summary>
    private async Task<(string Detail, string Fix)> Refusal(AgentProcess agent, string what)
    {
        var entry = await Poll.Until(
            async () => await CountersCapability(agent) is { } c && c.GetProperty("status").GetString() == "Unavailable" ? c : (JsonElement?)null,
            TimeSpan.FromSeconds(30),
            what);
        var detail = entry!.Value.GetProperty("detail").GetString()!;
        output.WriteLine("refused: " + detail);
        return (detail, entry!.Value.GetProperty("fix").GetString()!);
    }

    private static int Lines(AgentProcess agent, string text)
    {
        var lines = agent.Process.Stderr.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();
        lines.ForEach(Console.WriteLine);
        return lines.Count;
    }

    /// <summary>The process's Unix sockets that are neither connected nor listening, as the kernel lists them.</summary>
    private static int UnconnectedUnixSockets(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            if (new FileInfo(fd).LinkTarget is { } link && link.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(link["socket:[".Length..^1]);
            }
        }

        // Num RefCount Protocol Flags Type St Inode [Path]: St 01 is SS_UNCONNECTED, Flags 00010000 a listener.
        return File.ReadLines("/proc/net/unix").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f.Length >= 7 && f[5] == "01" && f[3] == "00000000" && inodes.Contains(f[6]));
    }

    /// <summary>Field 22 of /proc/PID/stat (clock ticks after boot): the runtime's key in its socket name.</summary>
    private static string StartTime(int pid) => File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[19];
}
