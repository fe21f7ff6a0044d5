using System.Net;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>README promises that had no test: the default listen address, HEAD /metrics, OTLP over
/// gRPC, IncludeChildren counters end to end, Target:Auto, and PidFile re-read.</summary>
public sealed class ReadmePromiseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("promises-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Without_urls_it_listens_on_127_0_0_1_port_9464_only()
    {
        // A fresh network namespace has a free 9464 whatever else runs on this machine. Inside,
        // only loopback exists, so reaching it proves little: `ss` shows the bound address.
        var script = $"""
            ip link set lo up
            '{await NativeBuild.Binary()}' >/dev/null 2>&1 & agent=$!
            i=0
            until curl -s -o /dev/null http://127.0.0.1:9464/health || [ $i -ge 300 ]; do i=$((i+1)); sleep 0.1; done
            curl -s -o /dev/null -w 'health=%{"{http_code}"}\n' http://127.0.0.1:9464/health
            ss -Hltn
            kill $agent; wait $agent
            """;
        var (code, output) = await Tool.Run("unshare", ["--net", "sh", "-c", script], deadline: TimeSpan.FromSeconds(90));

        Assert.True(code is 0 or 143, output);
        Assert.Contains("health=200", output, StringComparison.Ordinal);
        var listening = output.Split('\n').Where(l => l.StartsWith("LISTEN", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]).ToList();
        Assert.Equal(["127.0.0.1:9464"], listening);
    }

    [Fact]
    public async Task Head_metrics_is_200_without_a_body()
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Sampling:Interval"] = "00:00:00.200" });
        using var get = await agent.Http.GetAsync("/metrics");
        using var head = await agent.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/metrics"));
        using var post = await agent.Http.PostAsync("/metrics", null);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task Otlp_over_grpc_reaches_a_real_grpc_collector_with_the_headers()
    {
        var port = Net.FreePort();
        await using var collector = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "otlp_grpc_collector.py"), port.ToString()]);
        await collector.WaitForOutput("ready", TimeSpan.FromSeconds(20));
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Otlp:Endpoint"] = $"http://127.0.0.1:{port}",
            ["Otlp:Protocol"] = "grpc",
            ["Otlp:ExportInterval"] = "00:00:00.500",
            ["Otlp:Headers"] = "x-api-key=grpc-secret-456",
            ["Sampling:Interval"] = "00:00:00.200",
        });

        var line = await Poll.Until(
            () => Task.FromResult(collector.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith('{') && JsonDocument.Parse(l).RootElement is var c && c.GetProperty("has_target_up").GetBoolean() && c.GetProperty("has_target_cpu").GetBoolean())),
            TimeSpan.FromSeconds(20),
            "an Export call carrying target.up and target.process.cpu");
        var call = JsonDocument.Parse(line).RootElement;

        Assert.Equal("grpc-secret-456", call.GetProperty("api_key").GetString());
        Assert.Equal(1, (await agent.Metrics()).Value("target_up")); // Prometheus pull stays on
        Assert.DoesNotContain("grpc-secret-456", agent.Process.Stdout + agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Include_children_counters_never_decrease_while_children_come_and_go()
    {
        // A shell whose short-lived children burn CPU, fault pages and read: every child exits
        // within milliseconds, so the tree's counters only stay monotonic if what exited members
        // counted is kept.
        await using var tree = ChildProcess.Start("/bin/sh", ["-c", "while :; do head -c 200000 /dev/urandom | md5sum >/dev/null; sleep 0.02; done"]);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = tree.Pid.ToString(),
            ["Target:IncludeChildren"] = "true",
            ["Sampling:Interval"] = "00:00:00.100",
        });
        string[] counters = ["target_process_cpu_seconds_total", "target_process_context_switches_total", "target_process_page_faults_total", "target_process_io_read_bytes_total", "target_process_io_write_bytes_total"];
        static string Key(Series s) => s.Name + string.Concat(s.Labels.OrderBy(l => l.Key).Select(l => $",{l.Key}={l.Value}"));

        var previous = new Dictionary<string, double>();
        var first = new Dictionary<string, double>();
        var decreases = new List<string>();
        var maxProcesses = 0.0;
        var scrapes = 0;
        await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                maxProcesses = Math.Max(maxProcesses, m.Value("target_processes") ?? 0);
                foreach (var s in m.Where(s => counters.Contains(s.Name)))
                {
                    if (previous.TryGetValue(Key(s), out var before) && s.Value < before)
                    {
                        decreases.Add($"{Key(s)}: {before} -> {s.Value}");
                    }

                    previous[Key(s)] = s.Value;
                    first.TryAdd(Key(s), s.Value);
                }

                return ++scrapes >= 60;
            },
            TimeSpan.FromSeconds(60),
            "60 scrapes",
            TimeSpan.FromMilliseconds(50));

        Assert.Empty(decreases);
        Assert.True(maxProcesses >= 2, $"children were summed (max target_processes {maxProcesses})");
        var cpu = "target_process_cpu_seconds_total,mode=user,target=app";
        Assert.True(previous[cpu] + previous["target_process_cpu_seconds_total,mode=system,target=app"] > first[cpu] + first["target_process_cpu_seconds_total,mode=system,target=app"], "the tree burnt CPU meanwhile");
    }

    [Fact]
    public async Task Auto_picks_the_single_other_top_level_process_of_a_shared_pid_namespace()
    {
        // A pod without a cluster: a PID namespace whose pid 1 is a "pause", then the agent and
        // the target entered into it as two containers would be (parent pid 0 inside). The agent
        // joins only the PID namespace (CoreCLR fails to start in the pod's mount namespace
        // here) and reads the pod's procfs through pid 1's root, /proc/<pid1>/root/proc.
        // The target enters first and is pid 2 inside: in a pod that is an ordinary process,
        // not kthreadd.
        var pause = Path.Combine(_dir, "pause");
        ExecutableCopy.Make("/bin/sleep", pause);
        var app = Path.Combine(_dir, "app-target");
        ExecutableCopy.Make("/bin/sleep", app);
        await using var pod = ChildProcess.Start("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", pause, "infinity"]);
        var pid1 = await FirstChild(pod.Pid, "the pod's pid 1");
        await using var target = ChildProcess.Start("nsenter", ["-t", pid1.ToString(), "-p", "--", app, "300"]);
        var targetHostPid = await FirstChild(target.Pid, "the target inside");
        var inner = File.ReadLines($"/proc/{targetHostPid}/status").Single(l => l.StartsWith("NSpid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Equal("2", inner);
        var port = Net.FreePort();
        var agentCommand = await AgentCommand.For();
        await using var agent = ChildProcess.Start("nsenter", ["-t", pid1.ToString(), "-p", "--", .. agentCommand, "--urls", $"http://127.0.0.1:{port}", "--Target:Auto=true", "--Sampling:Interval=00:00:00.200", $"--Sampling:ProcRoot=/proc/{pid1}/root/proc"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Poll.Until(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "the agent inside serves");

        var info = await Poll.Until(
            async () => Exposition.Parse(await http.GetStringAsync("/metrics")).Named("target_process_info").SingleOrDefault(),
            TimeSpan.FromSeconds(30),
            "a target picked");

        Assert.Equal(inner, info["pid"]);
        Assert.Equal("app-target", info["name"]);
    }

    [Theory]
    [InlineData("tini", new[] { "--" })]
    [InlineData("dumb-init", new string[0])]
    public async Task Auto_under_tini_or_dumb_init_as_pid_1_picks_the_inits_child(string init, string[] separator)
    {
        // The container's own init (docker run --init, tini, dumb-init) as pid 1 of the shared
        // namespace, the app its child; the agent enters beside them (parent pid 0 inside).
        var app = Path.Combine(_dir, "app-under-init");
        ExecutableCopy.Make("/bin/sleep", app);
        await using var pod = ChildProcess.Start("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", $"/usr/bin/{init}", .. separator, app, "300"]);
        var pid1 = await FirstChild(pod.Pid, $"{init} as pid 1");
        var appHostPid = await FirstChild(pid1, $"the app under {init}");
        Assert.Equal(init, File.ReadAllText($"/proc/{pid1}/comm").Trim());
        var inner = File.ReadLines($"/proc/{appHostPid}/status").Single(l => l.StartsWith("NSpid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1];
        var port = Net.FreePort();
        var agentCommand = await AgentCommand.For();
        await using var agent = ChildProcess.Start("nsenter", ["-t", pid1.ToString(), "-p", "--", .. agentCommand, "--urls", $"http://127.0.0.1:{port}", "--Target:Auto=true", "--Sampling:Interval=00:00:00.200", $"--Sampling:ProcRoot=/proc/{pid1}/root/proc"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var up = await Poll.Until(
            async () => Exposition.Parse(await http.GetStringAsync("/metrics")).Named("target_process_info").ToList() is { Count: > 0 } l ? l : null,
            TimeSpan.FromSeconds(60),
            $"a target picked under {init}");

        var only = Assert.Single(up);
        Assert.Equal(inner, only["pid"]);
        Assert.Equal("app-under-init", only["name"]);
    }

    [Fact]
    public async Task A_pid_file_is_read_again_after_the_target_is_lost()
    {
        var file = Path.Combine(_dir, "app.pid");
        await using var first = ChildProcess.Start("/bin/sleep", ["300"]);
        await File.WriteAllTextAsync(file, first.Pid + "\n");
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Target:PidFile"] = file, ["Sampling:Interval"] = "00:00:00.200" });
        await Poll.Until(async () => (await agent.Metrics()).Named("target_process_info").Any(s => s["pid"] == first.Pid.ToString()), TimeSpan.FromSeconds(10), "first pid followed");

        first.Kill();
        await Poll.Until(async () => (await agent.Metrics()).Value("target_up") == 0, TimeSpan.FromSeconds(10), "target lost");
        await using var second = ChildProcess.Start("/bin/sleep", ["300"]);
        await File.WriteAllTextAsync(file, second.Pid + "\n");

        await Poll.Until(async () => (await agent.Metrics()).Named("target_process_info").Any(s => s["pid"] == second.Pid.ToString()), TimeSpan.FromSeconds(10), "the new pid from the file followed");
        Assert.Equal(1, (await agent.Metrics()).Value("target_restarts_total"));
    }

    private static async Task<int> FirstChild(int pid, string what)
    {
        var child = 0;
        await Poll.Until(() => (child = Children(pid).FirstOrDefault()) > 0, TimeSpan.FromSeconds(10), what);
        return child;
    }

    private static int[] Children(int pid)
    {
        try
        {
            return [.. File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
