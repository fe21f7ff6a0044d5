using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The agent under a service manager: sd_notify over a real datagram socket (READY=1, WATCHDOG=1
/// from the sampling loop, STOPPING=1), and the shipped unit checked by systemd-analyze.
/// </summary>
public sealed class SystemdTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("systemd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Notify_ready_watchdog_from_the_sampling_loop_and_stopping()
    {
        var socketPath = Path.Combine(_dir, "notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var messages = new List<string>();
        using var stop = new CancellationTokenSource();
        var receiver = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                lock (messages)
                {
                    messages.Add(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
        });
        int Count(string m)
        {
            lock (messages)
            {
                return messages.Count(x => x.Split('\n').Contains(m));
            }
        }

        // The hosting library speaks sd_notify only when its parent process is systemd: give it
        // a parent named so (a copy of sh that stays as the parent; no exec).
        var launcher = Path.Combine(_dir, "systemd");
        ExecutableCopy.Make("/bin/sh", launcher);
        var port = Net.FreePort();
        var agentCommand = await AgentCommand.For();
        await using var shell = ChildProcess.Start(
            launcher,
            ["-c", "\"$@\"; exit $?", "sh", .. agentCommand, "--urls", $"http://127.0.0.1:{port}", "--Sampling:Interval=00:00:00.200"],
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "2000000" });

        await Poll.Until(() => Count("READY=1") == 1, TimeSpan.FromSeconds(30), "READY=1");
        await Poll.Until(() => Count("WATCHDOG=1") >= 5, TimeSpan.FromSeconds(10), "watchdog pings every tick");

        var agentPid = int.Parse(File.ReadAllText($"/proc/{shell.Pid}/task/{shell.Pid}/children").Trim().Split(' ')[0]);
        using (var kill = Process.Start("kill", ["-TERM", agentPid.ToString()]))
        {
            await kill.WaitForExitAsync();
        }

        await Poll.Until(() => Count("STOPPING=1") == 1, TimeSpan.FromSeconds(10), "STOPPING=1");
        Assert.Equal(0, await shell.WaitForExit(TimeSpan.FromSeconds(10)));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task Watchdog_pings_stop_when_the_sampling_loop_stalls()
    {
        // A procfs root of symlinks to the real /proc, so the loop first samples a real target;
        // then the target's stat becomes a FIFO with no writer: the next tick blocks in open().
        // Pings that came from a timer instead of the loop would go on; systemd would never
        // restart a hung agent.
        await using var target = ChildProcess.Start("/bin/sleep", ["300"]);
        var root = Path.Combine(_dir, "proc");
        Directory.CreateDirectory(root);
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc").Where(e => Path.GetFileName(e) != target.Pid.ToString()))
        {
            File.CreateSymbolicLink(Path.Combine(root, Path.GetFileName(entry)), entry);
        }

        var pidDir = Path.Combine(root, target.Pid.ToString());
        Directory.CreateDirectory(pidDir);
        foreach (var entry in Directory.EnumerateFileSystemEntries($"/proc/{target.Pid}"))
        {
            File.CreateSymbolicLink(Path.Combine(pidDir, Path.GetFileName(entry)), entry);
        }

        var socketPath = Path.Combine(_dir, "notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var pings = 0;
        using var stop = new CancellationTokenSource();
        var receiver = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                if (Encoding.UTF8.GetString(buffer, 0, n).Split('\n').Contains("WATCHDOG=1"))
                {
                    Interlocked.Increment(ref pings);
                }
            }
        });

        var interval = TimeSpan.FromMilliseconds(200);
        var launcher = Path.Combine(_dir, "systemd");
        ExecutableCopy.Make("/bin/sh", launcher);
        var port = Net.FreePort();
        var agentCommand = await AgentCommand.For();
        await using var shell = ChildProcess.Start(
            launcher,
            ["-c", "\"$@\"; exit $?", "sh", .. agentCommand, "--urls", $"http://127.0.0.1:{port}", $"--Sampling:Interval={interval}", $"--Sampling:ProcRoot={root}", $"--Target:Pid={target.Pid}"],
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "2000000" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Poll.Until(async () => (await http.GetStringAsync("/metrics")).Contains($"pid=\"{target.Pid}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the target sampled through the symlinked root");
        await Poll.Until(() => Volatile.Read(ref pings) >= 5, TimeSpan.FromSeconds(10), "watchdog pings while the loop runs");

        var stat = Path.Combine(pidDir, "stat");
        var fifo = stat + ".fifo";
        Assert.Equal(0, (await Tool.Run("mkfifo", [fifo])).ExitCode);
        File.Move(fifo, stat, overwrite: true);
        try
        {
            // The tick in flight may still finish and ping; after that none may come. /health
            // turns 503 once no tick finished within 3 intervals: then the loop is surely stuck.
            await Poll.Until(async () => (await http.GetAsync("/health")).StatusCode == System.Net.HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10), "/health 503: the loop is stuck");
            var atStall = Volatile.Read(ref pings);
            await Task.Delay(10 * interval); // an observation window (ten ticks' worth), not a synchronisation
            Assert.Equal(atStall, Volatile.Read(ref pings));
        }
        finally
        {
            // Release the blocked open() (a writer appears, then closes) so the agent can stop.
            await Tool.Run("sh", ["-c", $"exec 3<>'{stat}'; exec 3>&-"]);
            await stop.CancelAsync();
        }
    }

    [Fact]
    public async Task The_shipped_unit_passes_systemd_analyze_verify()
    {
        // verify insists that ExecStart exists: point it at a binary that does, change nothing else.
        var unit = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "deploy", "systemd", "sidecar-agent.service"));
        // What the README says of the unit: notify, restarted always (forever), a 10 s watchdog the
        // loop feeds, CAP_SYS_PTRACE as an ambient capability (its effect: the test below).
        Assert.Equal("notify", UnitValue(unit, "Type"));
        Assert.Equal("always", UnitValue(unit, "Restart"));
        Assert.Equal("10", UnitValue(unit, "WatchdogSec"));
        Assert.Equal("0", UnitValue(unit, "StartLimitIntervalSec"));
        Assert.Equal("CAP_SYS_PTRACE CAP_DAC_READ_SEARCH", UnitValue(unit, "AmbientCapabilities"));
        Assert.Equal("1024", UnitValue(unit, "LimitNOFILE")); // a descriptor leak ends in the agent's own EMFILE, not on the host
        var copy = Path.Combine(_dir, "sidecar-agent.service");
        await File.WriteAllTextAsync(copy, unit.Replace("/usr/local/bin/sidecar-agent", "/bin/true", StringComparison.Ordinal));

        var (code, output) = await Tool.Run("systemd-analyze", ["verify", copy]);

        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify ({code}): {output}");
    }

    [Fact]
    public async Task With_the_units_ambient_capability_an_unprivileged_agent_reads_io_and_fds_of_another_users_process()
    {
        // The unit runs the agent as a dynamic user with its AmbientCapabilities. The same grant
        // without systemd: setpriv as nobody, the capabilities inheritable and ambient. (With
        // CAP_SYS_PTRACE alone, as the unit had it, nobody's open of root's io was refused: the
        // files are 0400 and the directory 0500, checked before the ptrace rule.)
        var unit = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "deploy", "systemd", "sidecar-agent.service"));
        var capability = string.Join(',', UnitValue(unit, "AmbientCapabilities").Split(' ').Select(c => "+" + c["CAP_".Length..].ToLowerInvariant()));
        await using var target = ChildProcess.Start("/bin/sleep", ["300"]); // root's
        var port = Net.FreePort();
        var agentCommand = await AgentCommand.For();
        await using var agent = ChildProcess.Start(
            "setpriv",
            ["--reuid=nobody", "--regid=nogroup", "--clear-groups", $"--inh-caps={capability}", $"--ambient-caps={capability}", "--",
             .. agentCommand, "--urls", $"http://127.0.0.1:{port}", $"--Target:Pid={target.Pid}", "--Sampling:Interval=00:00:00.200"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var m = Exposition.Parse(await Poll.Until(
            async () => await http.GetStringAsync("/metrics") is var t && t.Contains("target_process_threads", StringComparison.Ordinal) ? t : null,
            TimeSpan.FromSeconds(30),
            "metrics from the agent as nobody with CAP_SYS_PTRACE"));

        Assert.Equal("65534", (await File.ReadAllLinesAsync($"/proc/{agent.Pid}/status")).Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[2]);
        // io and fd/ of root's process, readable only with the capability, are there and true.
        Assert.NotNull(m.Value("target_process_io_read_bytes_total"));
        Assert.Equal((double)Directory.GetFileSystemEntries($"/proc/{target.Pid}/fd").Length, m.Value("target_process_open_fds"));
        Assert.DoesNotContain("CAP_SYS_PTRACE", agent.Stderr, StringComparison.Ordinal); // no "cannot read" warning
    }

    private static string UnitValue(string unit, string key) =>
        unit.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(key + "=", StringComparison.Ordinal)).Select(l => l[(key.Length + 1)..]).Single();
}
