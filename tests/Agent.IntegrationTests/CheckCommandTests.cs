using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// <c>agent --help</c>, <c>--version</c> and <c>agent check</c> as real processes against real
/// targets and servers. Every run also keeps connecting to the agent's port: none may succeed.
/// </summary>
public sealed class CheckCommandTests
{
    private static JsonElement Item(JsonElement report, string name) =>
        report.GetProperty("targets").EnumerateArray().Single().GetProperty("capabilities").GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == name);

    private static JsonElement Target(JsonElement report, string name) =>
        report.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == name);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_usage_and_exits_0_without_listening(string flag)
    {
        var run = await AgentCheck.Run([flag]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(0, run.ConnectionsAccepted);
        Assert.Contains("agent check", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--Target:ProcessName=", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("README.md", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("/metrics", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version_and_commit_and_exits_0_without_listening()
    {
        var run = await AgentCheck.Run(["--version"]);

        // Independent of the agent's code: the version the project file declares, and the commit
        // git names for the checkout the binary was published from (recorded by the publish step;
        // a checkout without git has none, and then the line has none either).
        var declared = System.Xml.Linq.XDocument.Load(Path.Combine(Repo.Root, "src", "Agent", "Agent.csproj")).Descendants("Version").Single().Value;
        var commit = (await NativeBuild.Get()).Commit;
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(0, run.ConnectionsAccepted);
        Assert.Equal(commit is null ? $"agent {declared}" : $"agent {declared} (commit {commit[..12]})", run.Stdout.Trim());
    }

    [Fact]
    public async Task A_healthy_redis_and_a_target_exit_0_and_the_report_names_the_pid()
    {
        await using var redis = await RedisServer.StartNew();
        await using var target = ChildProcess.Start("sleep", ["300"]);

        var text = await AgentCheck.Run(["check", $"--Target:Pid={target.Pid}", "--Probes:cache:Kind=redis", $"--Probes:cache:ConnectionString={redis.ConnectionString}"]);
        var json = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={target.Pid}", "--Probes:cache:Kind=redis", $"--Probes:cache:ConnectionString={redis.ConnectionString}"]);

        Assert.True(text.ExitCode == 0, text.Stdout + text.Stderr);
        Assert.Contains($"pid {target.Pid} (sleep)", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, text.ConnectionsAccepted);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(0, json.ConnectionsAccepted);
        var r = json.Json;
        Assert.Equal("ok", r.GetProperty("result").GetString());
        Assert.Equal(target.Pid, Target(r, "app").GetProperty("pid").GetInt32());
        var probe = r.GetProperty("probes").EnumerateArray().Single();
        Assert.Equal(("cache", "Ok"), (probe.GetProperty("name").GetString(), probe.GetProperty("status").GetString()));
        Assert.True(probe.GetProperty("durationSeconds").GetDouble() > 0);
        Assert.Equal("Ok", r.GetProperty("listen")[0].GetProperty("status").GetString());
        // The check really reached Redis: the server counted the connection.
        Assert.Contains("total_connections_received", await redis.Cli("INFO", "stats"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_stopped_exits_1_and_says_refused()
    {
        await using var redis = await RedisServer.StartNew();
        await redis.Stop();
        await using var target = ChildProcess.Start("sleep", ["300"]);

        var run = await AgentCheck.Run(["check", $"--Target:Pid={target.Pid}", "--Probes:cache:Kind=redis", $"--Probes:cache:ConnectionString={redis.ConnectionString}"]);

        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        Assert.Contains("refused", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("problem: probe cache (redis): refused", run.Stdout, StringComparison.Ordinal);
        // The reason is said once, not "refused: refused:".
        Assert.DoesNotContain("refused: refused", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_critical_probe_failing_is_a_warning_not_a_failure()
    {
        var port = Net.FreePort();

        var run = await AgentCheck.Run(["check", "--output=json", "--Probes:side:Kind=tcp", "--Probes:side:Host=127.0.0.1", $"--Probes:side:Port={port}", "--Probes:side:Critical=false"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Warning", run.Json.GetProperty("probes")[0].GetProperty("status").GetString());
        Assert.Single(run.Json.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task A_bad_key_exits_2_naming_it()
    {
        var text = await AgentCheck.Run(["check", "--Target:Pidd=12"]);
        var json = await AgentCheck.Run(["check", "--output", "json", "--Target:Pidd=12"]);

        Assert.Equal(2, text.ExitCode);
        Assert.Contains("Target:Pidd", text.Stderr, StringComparison.Ordinal);
        Assert.Contains("configuration error: Target:Pidd", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, json.ExitCode);
        Assert.Equal("configuration error", json.Json.GetProperty("result").GetString());
        Assert.StartsWith("Target:Pidd", json.Json.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_absent_target_exits_1_with_the_reason()
    {
        var run = await AgentCheck.Run(["check", "--Target:ProcessName=no-such-process-here"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no process matches name=no-such-process-here", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Named_targets_are_each_checked_and_a_missing_required_one_fails()
    {
        await using var web = ChildProcess.Start("sleep", ["301"]);
        var missing = "nosuch" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Before: only Target:* was looked at, so this printed "target (self) ok ... the agent watches itself" and exited 0.
        var alone = await AgentCheck.Run(["check", "--output", "json", $"--Targets:web:ProcessName={missing}"]);
        var two = await AgentCheck.Run(["check", "--output", "json", $"--Targets:web:Pid={web.Pid}", $"--Targets:side:ProcessName={missing}", "--Targets:side:Required=false"]);
        var text = await AgentCheck.Run(["check", $"--Targets:web:Pid={web.Pid}", $"--Targets:worker:ProcessName={missing}"]);

        Assert.True(alone.ExitCode == 1, alone.Stdout + alone.Stderr);
        Assert.Equal("Failed", Target(alone.Json, "web").GetProperty("status").GetString());
        Assert.Contains(alone.Json.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("target web ", StringComparison.Ordinal));
        Assert.DoesNotContain(alone.Json.GetProperty("targets").EnumerateArray(), t => t.GetProperty("target").GetString() == "app");

        // An optional target's absence is a warning, as /ready treats it; the present one is read.
        Assert.True(two.ExitCode == 0, two.Stdout + two.Stderr);
        Assert.Equal(web.Pid, Target(two.Json, "web").GetProperty("pid").GetInt32());
        Assert.Equal("Available", Target(two.Json, "web").GetProperty("capabilities").GetProperty("items")[0].GetProperty("status").GetString());
        Assert.Equal("Failed", Target(two.Json, "side").GetProperty("status").GetString());
        Assert.False(Target(two.Json, "side").GetProperty("required").GetBoolean());
        Assert.Contains(two.Json.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("target side ", StringComparison.Ordinal));

        Assert.True(text.ExitCode == 1, text.Stdout + text.Stderr);
        Assert.Contains($"web (pid={web.Pid}) pid {web.Pid} (sleep)", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("problem: target worker ", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_selector_and_probe_kind_help_names_is_accepted_and_the_readme_names_the_same_kinds()
    {
        var help = (await AgentCheck.Run(["--help"])).Stdout;
        var kinds = System.Text.RegularExpressions.Regex.Match(help, @"Kind=(?<k>[a-z|]+)").Groups["k"].Value.Split('|');
        var selectors = System.Text.RegularExpressions.Regex.Matches(help, @"--Target:(?<k>\w+)=").Select(m => m.Groups["k"].Value).Distinct().ToList();

        // The README's own table is the independent list of kinds a user is told about.
        var readmeRow = File.ReadLines(Path.Combine(Repo.Root, "README.md")).Single(l => l.StartsWith("| `Probes:<name>:Kind`", StringComparison.Ordinal));
        foreach (var kind in new[] { "redis", "postgres", "http", "tcp", "grpc" })
        {
            Assert.Contains(kind, kinds);
            Assert.Contains($"`{kind}`", readmeRow, StringComparison.Ordinal);
        }

        foreach (var selector in new[] { "Pid", "PidFile", "ProcessName", "CommandLinePattern", "Port" })
        {
            Assert.Contains(selector, selectors);
            Assert.Contains(File.ReadLines(Path.Combine(Repo.Root, "README.md")), l => l.StartsWith($"| `Target:{selector}`", StringComparison.Ordinal));
        }

        Assert.DoesNotContain("one application process", help, StringComparison.Ordinal);
        Assert.DoesNotContain("the only other process", help, StringComparison.Ordinal);

        // Each kind help names is one the configuration accepts; a kind it does not know exits 2 naming the key.
        var bogus = await AgentCheck.Run(["check", "--deadline", "2s", "--Probes:p:Kind=memcached"]);
        Assert.Equal(2, bogus.ExitCode);
        Assert.Contains("Probes:p:Kind", bogus.Stdout + bogus.Stderr, StringComparison.Ordinal);
        foreach (var kind in kinds)
        {
            var run = await AgentCheck.Run(["check", "--deadline", "2s", $"--Probes:p:Kind={kind}"]);
            Assert.DoesNotContain("Probes:p:Kind", run.Stdout + run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_taken_listen_address_exits_1()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var run = await AgentCheck.Run(["check", "--output", "json"], urls: $"http://127.0.0.1:{port}");

        Assert.Equal(1, run.ExitCode);
        var listen = run.Json.GetProperty("listen")[0];
        Assert.Equal("Failed", listen.GetProperty("status").GetString());
        Assert.StartsWith("taken", listen.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task As_nobody_watching_a_root_process_io_and_fd_are_unreadable_with_the_fix()
    {
        await using var target = ChildProcess.Start("sleep", ["300"]);
        // The kernel's own answer, independent of the agent: nobody may not read them.
        var (catIo, _) = await Tool.Run("runuser", ["-u", "nobody", "--", "cat", $"/proc/{target.Pid}/io"]);
        var (lsFd, _) = await Tool.Run("runuser", ["-u", "nobody", "--", "ls", $"/proc/{target.Pid}/fd"]);
        Assert.NotEqual(0, catIo);
        Assert.NotEqual(0, lsFd);

        var run = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={target.Pid}"], asUser: "nobody");

        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        var caps = Target(run.Json, "app").GetProperty("capabilities");
        Assert.Equal(65534, caps.GetProperty("agentUid").GetInt32());
        Assert.Equal(0, caps.GetProperty("targetUid").GetInt32());
        foreach (var name in new[] { "io", "fd" })
        {
            var item = Item(run.Json, name);
            Assert.Equal("Unavailable", item.GetProperty("status").GetString());
            Assert.Contains("run the agent as uid 0", item.GetProperty("fix").GetString(), StringComparison.Ordinal);
            Assert.Contains("CAP_SYS_PTRACE", item.GetProperty("fix").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("Available", Item(run.Json, "stat").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_dotnet_target_diagnostic_socket_is_reachable()
    {
        await using var target = await DotnetTarget.Start();

        var run = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={target.Pid}"]);

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var socket = Item(run.Json, "dotnet_diagnostic_socket");
        Assert.Equal("Available", socket.GetProperty("status").GetString());
        Assert.Contains($"dotnet-diagnostic-{target.Pid}-", socket.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Available", Item(run.Json, "dotnet_runtime_counters").GetProperty("status").GetString()); // a session delivered values
    }

    [Fact]
    public async Task A_hook_socket_left_under_a_reused_pid_is_not_the_new_processs()
    {
        // A SIGKILLed Python app leaves /tmp/sidecar-hook-<pid>.sock; a later process can get the same
        // pid (it did in a fresh-clone run: a .NET target's check failed on "python_hook: nothing
        // listens ... left by a process that exited"). Planted here under the new process's pid,
        // dated before it started.
        await using var target = await DotnetTarget.Start();
        var stale = Path.Combine(Path.GetTempPath(), $"sidecar-hook-{target.Pid}.sock");
        await File.WriteAllTextAsync(stale, "");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        try
        {
            var run = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={target.Pid}"]);

            Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
            Assert.Equal("NotApplicable", Item(run.Json, "python_hook").GetProperty("status").GetString());

            // The same file dated now (a hook of this process) is taken: the age is what decides.
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow);
            var fresh = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={target.Pid}"]);
            Assert.Equal("Unavailable", Item(fresh.Json, "python_hook").GetProperty("status").GetString());
        }
        finally
        {
            File.Delete(stale);
        }
    }

    [Fact]
    public async Task Check_finishes_within_its_deadline_against_a_blackhole()
    {
        await using var hole = new Blackhole();
        await using var target = ChildProcess.Start("sleep", ["300"]);
        // Each of these alone would hang for 30 s: a Redis that accepts and never answers, a TCP
        // probe, and a federation URL on the same blackhole.
        string[] args =
        [
            "check", "--output", "json", "--deadline", "3s", $"--Target:Pid={target.Pid}",
            "--Probes:cache:Kind=redis", $"--Probes:cache:ConnectionString=127.0.0.1:{hole.Port}", "--Probes:cache:Timeout=00:00:30", "--Probes:cache:Period=00:01:00",
            "--Probes:raw:Kind=tcp", "--Probes:raw:Host=127.0.0.1", $"--Probes:raw:Port={hole.Port}", "--Probes:raw:Send=PING\\r\\n", "--Probes:raw:Expect=+PONG", "--Probes:raw:Timeout=00:00:30", "--Probes:raw:Period=00:01:00",
            $"--Runtime:MetricsUrl=http://127.0.0.1:{hole.Port}/metrics", "--Runtime:MetricsTimeout=00:00:30",
        ];

        var run = await AgentCheck.Run(args);

        Assert.True(run.ExitCode == 1, run.Stdout + run.Stderr);
        // Far below the 30 s any one of them would take; the margin covers a loaded machine.
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(20), $"took {run.Elapsed}");
        Assert.True(hole.Accepted >= 2, "the blackhole was really asked");
        Assert.All(run.Json.GetProperty("probes").EnumerateArray(), p => Assert.Equal("Unfinished", p.GetProperty("status").GetString()));
        // What was found before the deadline is kept: the files were read, the federation URL is cut short.
        Assert.Equal("Available", Item(run.Json, "io").GetProperty("status").GetString());
        Assert.Contains("deadline", Item(run.Json, "federation_url").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(run.Json.GetProperty("elapsedSeconds").GetDouble(), 0, 3.0 + 1.0);
    }

    [Fact]
    public async Task The_native_binary_answers_help_version_and_check()
    {
        await using var target = await DotnetTarget.Start();

        var help = await AgentCheck.Run(["--help"]);
        var version = await AgentCheck.Run(["--version"]);
        var check = await AgentCheck.Run(["check", "--output", "json", $"--Target:Pid={target.Pid}"]);

        Assert.Equal((0, 0), (help.ExitCode, help.ConnectionsAccepted));
        Assert.Contains("agent check", help.Stdout, StringComparison.Ordinal);
        Assert.Equal((0, 0), (version.ExitCode, version.ConnectionsAccepted));
        Assert.Matches(@"^agent \d+\.\d+\.\d+", version.Stdout);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Equal(0, check.ConnectionsAccepted);
        // Source-generated JSON works in the native build, and so does the IPC exchange.
        Assert.Equal(target.Pid, Target(check.Json, "app").GetProperty("pid").GetInt32());
        Assert.Equal("Available", Item(check.Json, "dotnet_diagnostic_socket").GetProperty("status").GetString());
    }


    [Fact]
    public async Task Auto_lists_every_process_of_the_namespace_with_its_reason()
    {
        // A pod without a cluster: pause as pid 1, two containers (parent pid 0 inside), the check inside too:
        // each container a target named after its comm, pause and the agent left out, each with its reason.
        var dir = Directory.CreateTempSubdirectory("check-auto-").FullName;
        try
        {
            var pause = ExecutableCopy.Make("/bin/sleep", Path.Combine(dir, "pause"));
            var web = ExecutableCopy.Make("/bin/sleep", Path.Combine(dir, "web-app"));
            var worker = ExecutableCopy.Make("/bin/sleep", Path.Combine(dir, "worker-app"));
            await using var pod = ChildProcess.Start("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", pause, "infinity"]);
            var pid1 = await Poll.Until(() => Task.FromResult(File.ReadAllText($"/proc/{pod.Pid}/task/{pod.Pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).FirstOrDefault() is var c and > 0 ? (int?)c : null), TimeSpan.FromSeconds(10), "pid 1");
            await using var first = ChildProcess.Start("nsenter", ["-t", pid1.ToString()!, "-p", "--", web, "300"]);
            await using var second = ChildProcess.Start("nsenter", ["-t", pid1.ToString()!, "-p", "--", worker, "300"]);
            var agent = await AgentCommand.For();
            var port = Net.FreePort();
            string[] check = ["-t", pid1.ToString()!, "-p", "--", .. agent, "check", "--output", "json", "--Target:Auto=true", $"--Sampling:ProcRoot=/proc/{pid1}/root/proc", $"--urls=http://127.0.0.1:{port}"];

            var report = await Poll.Until(
                async () => await Tool.Run("nsenter", check) is var (_, output) && output.Contains("worker-app", StringComparison.Ordinal) && output.Contains("web-app", StringComparison.Ordinal) ? output : null,
                TimeSpan.FromSeconds(30),
                "a check that sees both containers");

            var json = System.Text.Json.JsonDocument.Parse(report[report.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
            var candidates = json.GetProperty("autoCandidates").EnumerateArray()
                .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("reason").GetString()!);
            Assert.Equal("the pod's pause container", candidates["pause"]);
            Assert.Equal("target 'web-app'", candidates["web-app"]);
            Assert.Equal("target 'worker-app'", candidates["worker-app"]);
            Assert.Equal("the agent itself", candidates["agent"]);
            Assert.Equal(4, candidates.Count); // every process of the namespace, each with its reason
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_timeout_is_retried_and_a_dependency_that_answers_the_second_time_passes()
    {
        // The first connection is held without an answer (as a cold client's first call may time
        // out); every later one answers PONG.
        await using var cold = new FirstHangs();
        var run = await AgentCheck.Run(["check", "--output", "json", "--Probes:dep:Kind=tcp", "--Probes:dep:Host=127.0.0.1", $"--Probes:dep:Port={cold.Port}", "--Probes:dep:Send=PING\\r\\n", "--Probes:dep:Expect=+PONG", "--Probes:dep:Timeout=00:00:01"]);

        var probe = run.Json.GetProperty("probes").EnumerateArray().Single();
        Assert.Equal("Ok", probe.GetProperty("status").GetString());
        Assert.Contains("run 2: the first timed out", probe.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, cold.Accepted);
    }

    [Fact]
    public async Task A_dependency_that_hangs_is_tried_three_times_and_fails_with_timeout()
    {
        await using var hole = new Blackhole();
        var run = await AgentCheck.Run(["check", "--output", "json", "--Probes:dep:Kind=tcp", "--Probes:dep:Host=127.0.0.1", $"--Probes:dep:Port={hole.Port}", "--Probes:dep:Expect=+OK", "--Probes:dep:Timeout=00:00:00.300"]);

        Assert.Equal(1, run.ExitCode);
        var probe = run.Json.GetProperty("probes").EnumerateArray().Single();
        Assert.Equal(("Failed", "timeout"), (probe.GetProperty("status").GetString(), probe.GetProperty("reason").GetString()));
        Assert.Equal(3, hole.Accepted); // one run and two retries, each once the previous had ended
    }

    /// <summary>Holds its first connection without a word; answers +PONG to every later one.</summary>
    private sealed class FirstHangs : LoopbackListener
    {
        public FirstHangs()
            : this([])
        {
        }

        private FirstHangs(List<System.Net.Sockets.Socket> held)
            : base((s, stop) => Handle(held, s, stop))
        {
        }

        private static Task Handle(List<System.Net.Sockets.Socket> held, System.Net.Sockets.Socket s, CancellationToken stop)
        {
            lock (held)
            {
                if (held.Count == 0)
                {
                    held.Add(s); // kept open, never answered
                    return Task.CompletedTask;
                }
            }

            _ = Task.Run(
                async () =>
                {
                    using (s)
                    {
                        var buffer = new byte[64];
                        await s.ReceiveAsync(buffer, stop);
                        await s.SendAsync("+PONG\r\n"u8.ToArray(), stop);
                    }
                },
                stop);
            return Task.CompletedTask;
        }
    }
}
