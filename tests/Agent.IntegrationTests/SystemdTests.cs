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
        await using var shell = ChildProcess.Start(
            launcher,
            ["-c", "\"$@\"; exit $?", "sh", "dotnet", Repo.AgentDll, "--urls", $"http://127.0.0.1:{port}", "--Sampling:Interval=00:00:00.200"],
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
        await using var shell = ChildProcess.Start(
            launcher,
            ["-c", "\"$@\"; exit $?", "sh", "dotnet", Repo.AgentDll, "--urls", $"http://127.0.0.1:{port}", $"--Sampling:Interval={interval}", $"--Sampling:ProcRoot={root}", $"--Target:Pid={target.Pid}"],
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
        Assert.Contains("Type=notify", unit, StringComparison.Ordinal);
        Assert.Contains("WatchdogSec=", unit, StringComparison.Ordinal);
        Assert.Contains("StartLimitIntervalSec=0", unit, StringComparison.Ordinal);
        Assert.Contains("\nLimitNOFILE=1024\n", unit, StringComparison.Ordinal); // a descriptor leak ends at the agent
        var copy = Path.Combine(_dir, "sidecar-agent.service");
        await File.WriteAllTextAsync(copy, unit.Replace("/usr/local/bin/sidecar-agent", "/bin/true", StringComparison.Ordinal));

        var (code, output) = await Tool.Run("systemd-analyze", ["verify", copy]);

        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify ({code}): {output}");
    }
}
