using System.Globalization;
using System.Net;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// The lifecycle matrix: real processes living the lifecycles operators have (short-lived
/// children, a master killed alone, a double-forking daemon, a reused pid, a stale pid file, the
/// agent under a wrapper, a thread-group leader that exited, a comm cut by the kernel), each
/// checked against the kernel's truth read by the test itself (<see cref="KernelStat"/>).
/// </summary>
public sealed class LifecycleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Interval = "00:00:00.500";
    private readonly string _dir = Directory.CreateTempSubdirectory("lifecycle-").FullName;
    private readonly string _unique = Guid.NewGuid().ToString("N")[..6];

    /// <summary>
    /// Processes a test made that no <see cref="ChildProcess"/> owns (daemons, orphans), by pid and
    /// start time: one that already exited may have left its pid to a process of someone else.
    /// </summary>
    private readonly List<(int Pid, ulong Start)> _strays = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var (pid, start) in _strays)
        {
            if (KernelStat.Read(pid)?.StartTicks == start)
            {
                Pod.Kill(pid);
            }
        }

        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private void Stray(int pid)
    {
        if (KernelStat.Read(pid) is { } s)
        {
            _strays.Add((pid, s.StartTicks));
        }
    }

    private static double Cpu(IEnumerable<Series> m) =>
        (m.Value("target_process_cpu_seconds_total", "mode", "user") ?? double.NaN) + (m.Value("target_process_cpu_seconds_total", "mode", "system") ?? double.NaN);

    private static int? TargetPid(IEnumerable<Series> m) =>
        m.Named("target_process_info").FirstOrDefault() is { } info ? int.Parse(info["pid"]!, CultureInfo.InvariantCulture) : null;

    /// <summary>Polls until <paramref name="check"/> holds; on the deadline fails with the last state it described.</summary>
    private static async Task Settle(Func<Task<(bool Done, string State)>> check, TimeSpan deadline, string what)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var state = "never checked";
        while (true)
        {
            (var done, state) = await check();
            if (done)
            {
                return;
            }

            if (sw.Elapsed > deadline)
            {
                Assert.Fail($"{what}: not within {deadline.TotalSeconds:F0} s; last seen: {state}");
            }

            await Task.Delay(100);
        }
    }

    private static Task Settle(Func<(bool Done, string State)> check, TimeSpan deadline, string what) =>
        Settle(() => Task.FromResult(check()), deadline, what);

    /// <summary>Polls the agent's <c>/metrics</c> until <paramref name="check"/> holds.</summary>
    private static Task Settle(AgentProcess agent, Func<List<Series>, (bool Done, string State)> check, TimeSpan deadline, string what) =>
        Settle(async () => check(await agent.Metrics()), deadline, what);

    // ---- 1. CPU of short-lived children -------------------------------------------------------

    [Theory]
    [InlineData("bursts", "sum(range(5_000_000))", 20)] // ~0.1 s each, one after another
    [InlineData("tails", "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end:\n    pass", 4)] // the tail after the last tick
    public async Task Tree_cpu_is_the_roots_utime_stime_cutime_cstime_whatever_its_children_lived(string shape, string child, int children)
    {
        var script = Path.Combine(_dir, "child.py");
        await File.WriteAllTextAsync(script, child);
        // A fixed number of children, then the shell execs sleep (same process): every child is
        // reaped into its c-fields. Counted, not timed: on a loaded machine CPU seconds come slowly.
        await using var root = ChildProcess.Start("/bin/sh", ["-c", $"n=0; while [ $n -lt {children} ]; do /usr/bin/python3 '{script}'; n=$((n+1)); done; exec sleep 300"]);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = root.Pid.ToString(CultureInfo.InvariantCulture),
            ["Target:IncludeChildren"] = "true",
            ["Sampling:Interval"] = Interval,
        });

        await Settle(() => KernelStat.Read(root.Pid) is { } s ? (s.CommText == "sleep", string.Create(CultureInfo.InvariantCulture, $"{s.CommText}, {s.TreeSeconds:F2} s of CPU so far")) : (false, "root gone"), TimeSpan.FromSeconds(240), $"{shape}: the shell's {children} children run and its exec of sleep");
        var kernel = KernelStat.Read(root.Pid)!.Value;
        Assert.True(kernel.Cutime + kernel.Cstime >= KernelStat.ClockTicks / 2, $"{shape}: the children used {kernel.Cutime + kernel.Cstime} ticks, expected at least half a second");
        var tick = 1.0 / KernelStat.ClockTicks;
        var reported = double.NaN;
        await Settle(
            async () =>
            {
                reported = Cpu(await agent.Metrics());
                return (Math.Abs(reported - kernel.TreeSeconds) <= tick + 1e-9, string.Create(CultureInfo.InvariantCulture, $"agent {reported:F2} s, kernel utime+stime+cutime+cstime {kernel.TreeSeconds:F2} s"));
            },
            TimeSpan.FromSeconds(10),
            $"{shape}: the tree's CPU equal to the root's own accounting within one tick");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape}: agent {reported:F2} s, kernel {kernel.TreeSeconds:F2} s (utime {kernel.Utime} stime {kernel.Stime} cutime {kernel.Cutime} cstime {kernel.Cstime})"));

        // Page faults come from the same accounting (minflt + cminflt, majflt + cmajflt).
        var m = await agent.Metrics();
        Assert.Equal(kernel.Minflt + kernel.Cminflt, m.Value("target_process_page_faults_total", "kind", "minor"));
        Assert.Equal(kernel.Majflt + kernel.Cmajflt, m.Value("target_process_page_faults_total", "kind", "major"));
    }

    // ---- 2. A master killed alone: its orphans are no restart ---------------------------------

    private static ChildProcess StartGunicorn(int port, string pidFile) => ChildProcess.Start(
        "gunicorn",
        // --timeout 2: an idle worker checks its parent every second (gunicorn's sync worker) and
        // leaves once orphaned; the default 30 s keeps orphans for up to 15 s.
        ["-w", "2", "--timeout", "2", "-b", $"127.0.0.1:{port}", "--pid", pidFile, "--chdir", Repo.Targets, "flask_app:app"]);

    private static int? PidFrom(string file) =>
        File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : null;

    [Theory]
    [InlineData("port")]
    [InlineData("cmdline")]
    public async Task A_master_killed_alone_counts_one_restart_however_long_its_orphans_hold_on(string selector)
    {
        var port = Net.FreePort();
        var pidFile = Path.Combine(_dir, "gunicorn.pid");
        await using var first = StartGunicorn(port, pidFile);
        var master = 0;
        await Settle(() => (PidFrom(pidFile) is { } p && (master = p) > 0 && KernelStat.Children(p).Count == 2, $"pid file {PidFrom(pidFile)}"), TimeSpan.FromSeconds(30), "gunicorn master with 2 workers");
        var workers = KernelStat.Children(master);
        workers.ForEach(Stray);

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            [selector == "port" ? "Target:Port" : "Target:CommandLinePattern"] = selector == "port"
                ? port.ToString(CultureInfo.InvariantCulture)
                : $@"gunicorn .*127\.0\.0\.1:{port} .*flask_app:app",
            ["Target:IncludeChildren"] = "true",
            ["Sampling:Interval"] = Interval,
        });
        await Settle(agent, m => (TargetPid(m) == master && m.Value("target_processes") == 3, $"pid {TargetPid(m)}, {m.Value("target_processes")} processes"), TimeSpan.FromSeconds(15), "the master and its 2 workers");

        // SIGKILL of the master alone, as the OOM killer does: the workers, orphaned, still hold the
        // listening socket and share the master's command line until they notice and leave. The new
        // server starts at once and binds as soon as they have (gunicorn retries its bind).
        var watch = new CounterWatch("app");
        Pod.Kill(master);
        File.Delete(pidFile);
        await using var second = StartGunicorn(port, pidFile);
        var followed = new List<int>();
        await Settle(
            async () =>
            {
                var m = await agent.Metrics();
                watch.Add(m);
                if (TargetPid(m) is { } p && (followed.Count == 0 || followed[^1] != p))
                {
                    followed.Add(p);
                }

                var next = PidFrom(pidFile);
                return (next is not null && TargetPid(m) == next && m.Value("target_processes") == 3,
                    $"following {TargetPid(m)}, {m.Value("target_processes")} processes, restarts {m.Value("target_restarts_total")}, new master {next}");
            },
            TimeSpan.FromSeconds(40),
            "the new master and its workers followed");

        output.WriteLine($"{selector}: followed {string.Join(" -> ", followed)} (old master {master}, orphans {string.Join(",", workers)}); {watch.Summary}");
        Assert.Equal(1, (await agent.Metrics()).Value("target_restarts_total"));
        Assert.Equal(1, watch.MaxRestarts);
        Assert.Empty(watch.Decreases);
    }

    // ---- 3. A double-forking daemon -----------------------------------------------------------

    [Theory]
    [InlineData("name")]
    [InlineData("cmdline")]
    public async Task A_double_forking_daemon_counts_no_restart_at_start_and_one_per_relaunch(string selector)
    {
        var name = "dfd" + _unique;
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            [selector == "name" ? "Target:ProcessName" : "Target:CommandLinePattern"] = selector == "name" ? name : $@"daemonize\.py {name} ",
            ["Sampling:Interval"] = Interval,
        });

        for (var launch = 0; launch < 3; launch++)
        {
            var ready = Path.Combine(_dir, $"ready-{launch}");
            await using var launcher = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "daemonize.py"), name, ready, "1.5"]);

            // The launcher lives 1.5 s (the agent finds it), double-forks, waits for the daemon's
            // readiness and exits 1.5 s later.
            await Settle(agent, m => (TargetPid(m) == launcher.Pid, $"following {TargetPid(m)}"), TimeSpan.FromSeconds(10), $"launch {launch}: the launcher found");
            await Settle(() => (PidFrom(ready) is not null, "no pid yet"), TimeSpan.FromSeconds(10), $"launch {launch}: the daemon's readiness");
            var daemon = PidFrom(ready)!.Value;
            Stray(daemon);
            Assert.NotEqual(launcher.Pid, KernelStat.Read(daemon)!.Value.Ppid); // re-parented (to init): not in the launcher's tree
            await launcher.WaitForExit(TimeSpan.FromSeconds(10));

            await Settle(agent, m => (TargetPid(m) == daemon, $"following {TargetPid(m)}, restarts {m.Value("target_restarts_total")}"), TimeSpan.FromSeconds(10), $"launch {launch}: the daemon followed");
            Assert.Equal(launch, (await agent.Metrics()).Value("target_restarts_total"));

            // Stopped before the next launch: the next launcher is a new process from outside.
            Pod.Kill(daemon);
            await Settle(agent, m => (m.Value("target_up") == 0, $"up {m.Value("target_up")}"), TimeSpan.FromSeconds(10), $"launch {launch}: the daemon's end seen");
        }

        Assert.Equal(2, (await agent.Metrics()).Value("target_restarts_total"));
    }

    // ---- 4. A fixed pid names a process, not a slot; a stale pid file -------------------------

    private async Task<(ChildProcess App, string Exe)> StartSleeper(string name)
    {
        var exe = ExecutableCopy.Make("/bin/sleep", Path.Combine(_dir, name));
        var app = ChildProcess.Start(exe, ["300"]);
        await Settle(() => (KernelStat.Read(app.Pid) is { } s && s.CommText == name, "not yet"), TimeSpan.FromSeconds(10), $"{name} running");
        return (app, exe);
    }

    [Fact]
    public async Task A_fixed_pid_whose_process_exited_stays_down_when_the_pid_is_reused()
    {
        var (app, _) = await StartSleeper("reuse-app");
        await using var owned = app;
        var pid = app.Pid;
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = Interval,
        });
        await Settle(agent, m => (TargetPid(m) == pid, $"following {TargetPid(m)}"), TimeSpan.FromSeconds(10), "the app followed");

        await app.DisposeAsync(); // killed and reaped: its pid is free
        await using var squatter = PidReuse.Take(pid, "sleep", ["300"]);
        Assert.Equal("sleep", KernelStat.Read(pid)!.Value.CommText);

        // The agent sees the new process in the old one's pid and does not take it.
        await Settle(
            async () =>
            {
                var (code, _, raw) = await agent.Ready();
                var m = await agent.Metrics();
                return (code == HttpStatusCode.ServiceUnavailable && m.Value("target_up") == 0 && agent.Process.Stderr.Contains($"pid {pid} is now another process", StringComparison.Ordinal),
                    $"/ready {(int)code} {raw}; target_up {m.Value("target_up")}; info {string.Join(",", m.Named("target_process_info").Select(i => $"{i["pid"]} {i["name"]}"))}");
            },
            TimeSpan.FromSeconds(10),
            "the target down, /ready 503, the reused pid logged");
        var (_, _, raw) = await agent.Ready();
        output.WriteLine(raw);
        Assert.Empty((await agent.Metrics()).Named("target_process_info"));
        Assert.Contains("Target:Pid names that process", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pid_file_older_than_its_process_is_stale_and_a_rewritten_one_is_followed()
    {
        var (app, exe) = await StartSleeper("pidfile-app");
        await using var owned = app;
        var pidFile = Path.Combine(_dir, "app.pid");
        await File.WriteAllTextAsync(pidFile, app.Pid + "\n"); // written after the app started, as daemons do
        var pid = app.Pid;
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:PidFile"] = pidFile,
            ["Sampling:Interval"] = Interval,
        });
        await Settle(agent, m => (TargetPid(m) == pid, $"following {TargetPid(m)}"), TimeSpan.FromSeconds(10), "the app followed");

        await app.DisposeAsync();
        await using var squatter = PidReuse.Take(pid, "sleep", ["300"]); // started after the file was written

        await Settle(
            async () =>
            {
                var r = await agent.Ready();
                return (r.Code == HttpStatusCode.ServiceUnavailable && r.Raw.Contains("stale", StringComparison.Ordinal), r.Raw);
            },
            TimeSpan.FromSeconds(10), "/ready 503: the pid file is stale");
        var m = await agent.Metrics();
        Assert.Equal(0, m.Value("target_up"));
        Assert.Empty(m.Named("target_process_info"));

        // The app restarts and rewrites its pid file: followed, one restart.
        await using var second = ChildProcess.Start(exe, ["300"]);
        await File.WriteAllTextAsync(pidFile, second.Pid + "\n");
        await Settle(agent, m2 => (TargetPid(m2) == second.Pid, $"following {TargetPid(m2)}"), TimeSpan.FromSeconds(10), "the rewritten pid file followed");
        Assert.Equal(1, (await agent.Metrics()).Value("target_restarts_total"));
    }

    // ---- 5. The agent's own wrappers ----------------------------------------------------------

    [Theory]
    [InlineData("timeout")]
    [InlineData("sh -c")]
    public async Task The_agents_wrapper_is_never_its_target_even_when_its_command_line_matches(string wrapper)
    {
        var marker = "hunt" + _unique;
        IReadOnlyList<string> launcher = wrapper == "timeout" ? ["timeout", "300"] : ["sh", "-c", "\"$@\"; exit $?", "sh"];
        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string> { ["Target:CommandLinePattern"] = marker, ["Sampling:Interval"] = Interval },
            launcher: launcher);
        var (app, _) = await StartSleeper(marker); // its command line holds the marker; so do the wrapper's and the agent's
        await using var owned = app;

        await Settle(
            async () =>
            {
                var m = await agent.Metrics();
                var pid = TargetPid(m);
                return (pid == app.Pid, pid is { } p ? $"following {p} ({KernelStat.Read(p)?.CommText}), the wrapper is {agent.Process.Pid}" : "no target");
            },
            TimeSpan.FromSeconds(10),
            $"the app found, not the agent's {wrapper}");
    }

    // ---- 6. A thread-group leader that exited -------------------------------------------------

    [Fact]
    public async Task A_process_whose_main_thread_exited_is_up_while_another_thread_runs()
    {
        var name = "lead" + _unique;
        await using var app = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "leader_exit.py"), name]);
        await Settle(() => (KernelStat.Read(app.Pid) is { State: 'Z', Threads: 2 }, $"{KernelStat.Read(app.Pid)}"), TimeSpan.FromSeconds(10), "leader a zombie, 2 threads");

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:ProcessName"] = name,
            ["Sampling:Interval"] = Interval,
        });
        await Settle(agent, m => (TargetPid(m) == app.Pid, $"following {TargetPid(m)}, up {m.Value("target_up")}"), TimeSpan.FromSeconds(10), "the process found");

        var first = Cpu(await agent.Metrics());
        await Settle(agent, m => (m.Value("target_up") == 1 && Cpu(m) > first, $"up {m.Value("target_up")}, cpu {Cpu(m)}"), TimeSpan.FromSeconds(10), "its CPU rising while it stays up");
        var now = await agent.Metrics();
        Assert.Equal(2, now.Value("target_process_threads"));
        Assert.True(now.Value("target_process_resident_memory_bytes") > 0, "memory read from a live thread");
    }

    // ---- 7. Names as the kernel cuts them -----------------------------------------------------

    [Theory]
    [InlineData("überwachungsdienst")] // 19 bytes: comm "überwachungsdi"
    [InlineData("abcdefghijklmnö-svc")] // the 15-byte cut splits the ö: comm ends with a lone 0xC3
    public async Task A_process_name_is_matched_on_the_first_15_bytes_of_its_UTF_8(string name)
    {
        // A script: its comm is its file name, its executable /bin/sh (so only the comm can match).
        var source = Path.Combine(_dir, "script.sh");
        await File.WriteAllTextAsync(source, "#!/bin/sh\nwhile :; do sleep 1; done\n");
        Assert.Equal(0, (await Tool.Run("chmod", ["+x", source])).ExitCode);
        var path = ExecutableCopy.Make(source, Path.Combine(_dir, name));
        await using var app = ChildProcess.Start(path, []);
        var cut = System.Text.Encoding.UTF8.GetBytes(name)[..15];
        await Settle(() => (KernelStat.Read(app.Pid) is { } s && s.Comm.SequenceEqual(cut), $"{KernelStat.Read(app.Pid)?.CommText}"), TimeSpan.FromSeconds(10), "the kernel's 15-byte comm");

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:ProcessName"] = name,
            ["Sampling:Interval"] = Interval,
        });
        await Settle(agent, m => (TargetPid(m) == app.Pid, $"following {TargetPid(m)}: {agent.Process.Stderr.Split('\n').LastOrDefault(l => l.Contains("No process", StringComparison.Ordinal))}"), TimeSpan.FromSeconds(10), "the script found by its name");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(cut), (await agent.Metrics()).Named("target_process_info").Single()["name"]);
    }

    // ---- 7. A second match is said, once; a comm cannot forge a line ------------------------

    [Fact]
    public async Task A_second_matching_process_is_logged_once_naming_the_one_followed_and_why()
    {
        var name = "twin" + _unique;
        var (older, exe) = await StartSleeper(name);
        await using var ownedOlder = older;
        await using var younger = ChildProcess.Start(exe, ["300"]);
        await Settle(() => (KernelStat.Read(younger.Pid)?.CommText == name, "not yet"), TimeSpan.FromSeconds(10), "the second instance running");
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:ProcessName"] = name,
            ["Sampling:Interval"] = Interval,
        });
        await Settle(agent, m => (TargetPid(m) == older.Pid, $"following {TargetPid(m)}"), TimeSpan.FromSeconds(10), "the older instance followed");
        var expected = $"2 process trees match name={name}; following pid {older.Pid} ({name}): the oldest of the matches whose parent does not match; also {younger.Pid} ({name})";
        await Settle(() => (agent.Process.Stderr.Contains(expected, StringComparison.Ordinal), agent.Process.Stderr.Split('\n').LastOrDefault(l => l.Contains("match", StringComparison.Ordinal)) ?? "no line"), TimeSpan.FromSeconds(10), "the second match logged");

        // The followed one goes; the other is taken (a restart) and, alone now, logs nothing more.
        await older.DisposeAsync();
        await Settle(agent, m => (TargetPid(m) == younger.Pid, $"following {TargetPid(m)}"), TimeSpan.FromSeconds(10), "the younger instance followed");
        Assert.Equal(1, (await agent.Metrics()).Value("target_restarts_total"));
        Assert.Single(agent.Process.Stderr.Split('\n'), l => l.Contains("process trees match", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_comm_with_a_newline_stays_on_its_line_of_the_text_summary()
    {
        // prctl(PR_SET_NAME) takes any byte but NUL: a process can name itself to forge a summary line.
        await using var app = ChildProcess.Start("/usr/bin/python3", ["-c", "import ctypes, time\nctypes.CDLL(None).prctl(15, b'web\\nFAKE  UP', 0, 0, 0)\ntime.sleep(300)"]);
        await Settle(() => (KernelStat.Read(app.Pid)?.CommText == "web\nFAKE  UP", $"{KernelStat.Read(app.Pid)?.CommText}"), TimeSpan.FromSeconds(10), "the kernel's comm holding a newline");
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = app.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = Interval,
        });
        await Settle(agent, m => (TargetPid(m) == app.Pid, $"following {TargetPid(m)}"), TimeSpan.FromSeconds(10), "the process followed");
        Assert.Equal("web\nFAKE  UP", (await agent.Metrics()).Named("target_process_info").Single()["name"]);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.ParseAdd("text/plain");
        using var response = await agent.Http.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        output.WriteLine(string.Join('\n', lines));
        Assert.Contains(lines, l => l.Contains($"pid {app.Pid} (web\\nFAKE  UP)", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAKE", StringComparison.Ordinal));
    }

    // ---- OpenMetrics _created: when the counters started ----------------------------------

    private static async Task<List<Series>> OpenMetrics(AgentProcess agent, bool gzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0;q=0.5");
        request.Headers.Accept.ParseAdd("text/plain;version=0.0.4;q=0.2");
        if (gzip)
        {
            request.Headers.AcceptEncoding.ParseAdd("gzip");
        }

        using var response = await agent.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Equal(gzip, response.Content.Headers.ContentEncoding.Contains("gzip"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = gzip
            ? await new StreamReader(new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress)).ReadToEndAsync()
            : System.Text.Encoding.UTF8.GetString(bytes);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        return Exposition.Parse(text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_counters_created_time_is_their_processs_start_and_moves_with_a_restart(bool gzip)
    {
        var (first, exe) = await StartSleeper("created-app");
        await using var owned = first;
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:ProcessName"] = "created-app",
            ["Sampling:Interval"] = Interval,
        });
        await Settle(agent, m => (TargetPid(m) == first.Pid, $"following {TargetPid(m)}"), TimeSpan.FromSeconds(10), "the first process followed");

        async Task CreatedIs(int pid)
        {
            var started = (await Psutil.Read(pid)).GetProperty("create_time").GetDouble();
            var m = await OpenMetrics(agent, gzip);
            var created = m.Where(s => s.Name.StartsWith("target_process_", StringComparison.Ordinal) && s.Name.EndsWith("_created", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(created);
            Assert.All(created, s => Assert.Equal(started, s.Value, 0.02));
            Assert.Equal(m.Value("target_process_start_time_seconds")!.Value, created[0].Value, 0.001);
        }

        await CreatedIs(first.Pid);

        await first.DisposeAsync();
        await using var second = ChildProcess.Start(exe, ["300"]);
        await Settle(agent, m => (TargetPid(m) == second.Pid, $"following {TargetPid(m)}"), TimeSpan.FromSeconds(10), "the new process followed");
        Assert.Equal(1, (await agent.Metrics()).Value("target_restarts_total"));
        await CreatedIs(second.Pid);

        // The text format has no _created and is left as the exporter wrote it.
        Assert.DoesNotContain(await agent.Metrics(), s => s.Name.EndsWith("_created", StringComparison.Ordinal));
    }
}
