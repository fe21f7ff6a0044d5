using System.Diagnostics;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The contract of /metrics: every family the agent exports, with its type and label names,
/// read from a live agent that has everything switched on (a .NET target with its runtime
/// counters, federation of a Python target's own endpoint, a probe, a trigger, the agent's full
/// self metrics). Any family added, removed, retyped or relabelled fails here until this list says
/// so: the list is the review point of a metric change.
/// </summary>
public sealed class MetricsContractTests
{
    // name → (type, label names). Label values are the agent's business; their names are the contract.
    private static readonly Dictionary<string, (string Type, string[] Labels)> Contract = new(StringComparer.Ordinal)
    {
        // target: Telemetry/TargetMetrics.cs; every target_* series names its target (target="app" for Target:*)
        ["target_up"] = ("gauge", ["target"]),
        ["target_process_info"] = ("gauge", ["name", "pid", "target"]),
        ["target_restarts_total"] = ("counter", ["target"]),
        ["target_process_cpu_seconds_total"] = ("counter", ["mode", "target"]),
        ["target_process_resident_memory_bytes"] = ("gauge", ["target"]),
        ["target_process_resident_memory_peak_bytes"] = ("gauge", ["target"]),
        ["target_process_virtual_memory_bytes"] = ("gauge", ["target"]),
        ["target_process_swap_bytes"] = ("gauge", ["target"]),
        ["target_process_threads"] = ("gauge", ["target"]),
        ["target_process_open_fds"] = ("gauge", ["target"]),
        ["target_process_max_fds"] = ("gauge", ["target"]),
        ["target_process_start_time_seconds"] = ("gauge", ["target"]),
        ["target_processes"] = ("gauge", ["target"]),
        ["target_process_io_read_bytes_total"] = ("counter", ["target"]),
        ["target_process_io_write_bytes_total"] = ("counter", ["target"]),
        ["target_process_context_switches_total"] = ("counter", ["kind", "target"]),
        ["target_process_page_faults_total"] = ("counter", ["kind", "target"]),

        // container: Telemetry/ContainerMetrics.cs (the target runs in cgroups with limits, below)
        ["target_container_info"] = ("gauge", ["cgroup", "route", "target", "version"]),
        ["target_container_memory_usage_bytes"] = ("gauge", ["target"]),
        ["target_container_memory_working_set_bytes"] = ("gauge", ["target"]),
        ["target_container_memory_limit_bytes"] = ("gauge", ["target"]),
        ["target_container_memory_working_set_ratio"] = ("gauge", ["target"]),
        ["target_container_memory_high_bytes"] = ("gauge", ["target"]),
        ["target_container_memory_rss_bytes"] = ("gauge", ["target"]),
        ["target_container_memory_cache_bytes"] = ("gauge", ["target"]),
        ["target_container_memory_events_total"] = ("counter", ["event", "target"]),
        ["target_container_oom_events_total"] = ("counter", ["target"]),
        ["target_restarts_oom_killed_total"] = ("counter", ["target"]),
        ["target_container_cpu_usage_seconds_total"] = ("counter", ["target"]),
        ["target_container_cpu_limit_cores"] = ("gauge", ["target"]),
        ["target_container_cpu_cfs_periods_total"] = ("counter", ["target"]),
        ["target_container_cpu_cfs_throttled_periods_total"] = ("counter", ["target"]),
        ["target_container_cpu_cfs_throttled_seconds_total"] = ("counter", ["target"]),
        ["target_container_cpu_throttled_ratio"] = ("gauge", ["target"]),
        ["target_container_pressure_cpu_waiting_seconds_total"] = ("counter", ["target"]),
        ["target_container_pressure_cpu_stalled_seconds_total"] = ("counter", ["target"]),
        ["target_container_pressure_memory_waiting_seconds_total"] = ("counter", ["target"]),
        ["target_container_pressure_memory_stalled_seconds_total"] = ("counter", ["target"]),
        ["target_container_pressure_io_waiting_seconds_total"] = ("counter", ["target"]),
        ["target_container_pressure_io_stalled_seconds_total"] = ("counter", ["target"]),
        ["target_container_pids"] = ("gauge", ["target"]),
        ["target_container_pids_limit"] = ("gauge", ["target"]),

        // runtime: Telemetry/RuntimeMetrics.cs
        ["target_runtime_connected"] = ("gauge", ["runtime", "target"]),
        ["target_dotnet_gc_collections_total"] = ("counter", ["generation", "target"]),
        ["target_dotnet_gc_heap_size_bytes"] = ("gauge", ["target"]),
        ["target_dotnet_gc_pause_ratio"] = ("gauge", ["target"]),
        ["target_dotnet_gc_allocated_bytes_total"] = ("counter", ["target"]),
        ["target_dotnet_threadpool_threads"] = ("gauge", ["target"]),
        ["target_dotnet_threadpool_queue_length"] = ("gauge", ["target"]),
        ["target_dotnet_threadpool_completed_items_total"] = ("counter", ["target"]),
        ["target_dotnet_exceptions_total"] = ("counter", ["target"]),
        ["target_dotnet_lock_contentions_total"] = ("counter", ["target"]),

        // federated: Telemetry/FederationMetrics.cs, names and labels as the Python target serves them
        ["target_python_gc_objects_collected_total"] = ("counter", ["generation", "target"]),
        ["target_python_gc_objects_uncollectable_total"] = ("counter", ["generation", "target"]),
        ["target_python_gc_collections_total"] = ("counter", ["generation", "target"]),
        ["target_python_info"] = ("gauge", ["implementation", "major", "minor", "patchlevel", "target", "version"]),
        // the Python hook's gc answer (Telemetry/RuntimeMetrics.cs); the three gc counters above are the same families
        ["target_python_gc_garbage_objects"] = ("gauge", ["target"]),
        ["target_python_threads"] = ("gauge", ["target"]),

        // probe: Telemetry/ProbeMetrics.cs
        ["agent_probe_success"] = ("gauge", ["kind", "probe"]),
        ["agent_probe_duration_seconds"] = ("gauge", ["kind", "probe"]),
        ["agent_probe_failures_total"] = ("counter", ["kind", "probe", "reason"]),
        ["agent_probe_abandoned_checks"] = ("gauge", ["kind", "probe"]),

        // triggers: Telemetry/TriggerMetrics.cs
        ["agent_trigger_state"] = ("gauge", ["trigger"]),
        ["agent_trigger_firings_total"] = ("counter", ["trigger"]),

        // profile pushes: Telemetry/ProfilingMetrics.cs (only with Profiling:PushUrl and /diag on; ProfilingTests)
        ["agent_profile_pushes_total"] = ("counter", ["result"]),

        // self: Telemetry/SelfMetrics.cs (Telemetry:SelfMetrics=full), and the exporter's resource info
        ["target_info"] = ("gauge", ["service_instance_id", "service_name", "service_version", "telemetry_sdk_language", "telemetry_sdk_name", "telemetry_sdk_version"]),
        ["dotnet_assemblies"] = ("gauge", []),
        ["dotnet_gc_collections_total"] = ("counter", ["gc_heap_generation"]),
        ["dotnet_gc_heap_total_allocated_bytes_total"] = ("counter", []),
        ["dotnet_gc_last_collection_heap_fragmentation_size_bytes"] = ("gauge", ["gc_heap_generation"]),
        ["dotnet_gc_last_collection_heap_size_bytes"] = ("gauge", ["gc_heap_generation"]),
        ["dotnet_gc_last_collection_memory_committed_size_bytes"] = ("gauge", []),
        ["dotnet_gc_pause_time_seconds_total"] = ("counter", []),
        ["dotnet_exceptions_total"] = ("counter", ["error_type"]),
        ["dotnet_jit_compilation_time_seconds_total"] = ("counter", []),
        ["dotnet_jit_compiled_il_size_bytes_total"] = ("counter", []),
        ["dotnet_jit_compiled_methods_total"] = ("counter", []),
        ["dotnet_monitor_lock_contentions_total"] = ("counter", []),
        ["dotnet_process_cpu_time_seconds_total"] = ("counter", ["cpu_mode"]),
        ["dotnet_process_cpus"] = ("gauge", []),
        ["dotnet_process_memory_working_set_bytes"] = ("gauge", []),
        ["dotnet_thread_pool_queue_length"] = ("gauge", []),
        ["dotnet_thread_pool_threads"] = ("gauge", []),
        ["dotnet_thread_pool_work_item_count_total"] = ("counter", []),
        ["dotnet_timers"] = ("gauge", []),
        ["process_cpu_time_seconds_total"] = ("counter", ["cpu_mode"]),
        ["process_memory_usage_bytes"] = ("gauge", []),
        ["process_memory_virtual_bytes"] = ("gauge", []),
        ["process_threads"] = ("gauge", []),
        ["process_unix_file_descriptors"] = ("gauge", []),
        ["process_uptime_seconds"] = ("gauge", []),
    };

    /// <summary>
    /// Families that exist only once something happened (the runtime counts exceptions from the first
    /// one thrown), or only on a cgroup v2 memory controller, which this hybrid build machine lacks,
    /// or only with a setting this agent does not have (a profile push URL).
    /// </summary>
    private static readonly HashSet<string> Eventual = new(StringComparer.Ordinal) { "dotnet_exceptions_total", "target_container_memory_high_bytes", "target_container_memory_events_total", "agent_profile_pushes_total" };

    [Fact]
    public async Task Every_family_is_listed_with_its_type_and_labels_and_no_counter_goes_down_under_load()
    {
        var port = Net.FreePort();
        // The Python target also loads the agent's hook and is a target of its own (py): its gc comes from the hook.
        var hookDir = Directory.CreateTempSubdirectory("contract-hook-").FullName;
        await using var python = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "prom_target.py"), port.ToString()], new Dictionary<string, string?> { ["PYTHONPATH"] = PythonHookApp.Install(hookDir) });
        await python.WaitForOutput("ready", TimeSpan.FromSeconds(20));
        await using var target = await DotnetTarget.Start();
        await using var limits = Cgroups.WithLimits(target.Pid);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(),
            ["Targets:py:Pid"] = python.Pid.ToString(),
            ["Sampling:Interval"] = "00:00:00.250",
            ["Runtime:MetricsUrl"] = $"http://127.0.0.1:{port}/metrics",
            ["Probes:web:Kind"] = "http",
            ["Probes:web:Url"] = $"http://127.0.0.1:{port}/metrics",
            ["Triggers:huge:Metric"] = "target_process_resident_memory_bytes",
            ["Triggers:huge:Above"] = "512GiB", // never fires: its families are what is listed
            ["Triggers:huge:Actions"] = "snapshot",
            ["Telemetry:SelfMetrics"] = "full",
        });

        // Every listed family shows up once everything is connected (the GC pause ratio needs
        // two publications of the target's counters; io and the like need a first tick).
        var missing = Contract.Keys.Except(Eventual).ToList();
        try
        {
            await Poll.Until(
                async () =>
                {
                    var present = Families.Types(await agent.MetricsText());
                    missing = Contract.Keys.Except(Eventual).Where(k => !present.ContainsKey(k)).ToList();
                    return missing.Count == 0;
                },
                TimeSpan.FromSeconds(45), // under a loaded machine the runtime session takes its time
                "every contract family present");
        }
        catch (TimeoutException)
        {
            Assert.Fail("never exported: " + string.Join(", ", missing) + "\nagent stderr (tail):\n" + string.Join('\n', agent.Process.Stderr.Split('\n').TakeLast(30)));
        }

        // Under load: the target collects, clients hammer /metrics and /ready.
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var r = await agent.Http.GetAsync(i % 2 == 0 ? "/metrics" : "/ready");
            }
        })).Append(Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await target.Command("gc 3");
            }
        })).ToList();

        var first = await agent.MetricsText();
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // several sampling intervals (0.25 s) apart
        var second = await agent.MetricsText();
        stop.Cancel();
        await Task.WhenAll(load);

        // 1. The families and their types are exactly the contract.
        var types = Families.Types(second);
        var actual = types.Keys.Order(StringComparer.Ordinal).ToArray();
        var expected = Contract.Keys.Where(k => !Eventual.Contains(k) || types.ContainsKey(k)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(expected.SequenceEqual(actual), $"added: {string.Join(", ", actual.Except(expected))}; removed: {string.Join(", ", expected.Except(actual))}");
        foreach (var (name, (type, _)) in Contract.Where(c => types.ContainsKey(c.Key)))
        {
            Assert.True(types[name] == type, $"{name} is a {types[name]}, the contract says {type}");
        }

        // 2. Label names per family.
        var series = Exposition.Parse(second);
        foreach (var group in series.GroupBy(s => Families.FamilyOf(s, types)))
        {
            var labelSets = group.Select(s => string.Join(",", s.Labels.Keys.Order(StringComparer.Ordinal))).Distinct().ToArray();
            Assert.True(labelSets.Length == 1, $"{group.Key} has several label sets: {string.Join(" | ", labelSets)}");
            Assert.Equal(string.Join(",", Contract[group.Key].Labels), labelSets[0]);
        }

        // 3. Typed by what it does: no gauge named like a counter, and no counter went down.
        Assert.DoesNotContain(types, t => t.Value != "counter" && t.Key.EndsWith("_total", StringComparison.Ordinal));
        var before = Exposition.Parse(first).ToDictionary(Families.Key, s => s.Value);
        var decreased = series
            .Where(s => types[s.Name] == "counter" && before.TryGetValue(Families.Key(s), out var v) && s.Value < v)
            .Select(s => $"{Families.Key(s)}: {before[Families.Key(s)]} -> {s.Value}")
            .ToList();
        Assert.Empty(decreased);

        // 4. Prometheus' own linter agrees.
        var psi = new ProcessStartInfo("promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = Process.Start(psi)!;
        await promtool.StandardInput.WriteAsync(second);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, $"promtool exit {promtool.ExitCode}: {output}");
    }

    [Theory]
    // full: 36 on an idle agent (README); the GC's per-generation series appear as generations are
    // first collected, so allow some room. minimal: cpu (user, system), memory, threads, fds, uptime.
    [InlineData("full", 30, 40)]
    [InlineData("minimal", 6, 6)]
    [InlineData("off", 0, 0)]
    public async Task Self_metrics_switch_sets_how_many_series_the_agent_spends_on_itself(string mode, int min, int max)
    {
        await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Telemetry:SelfMetrics"] = mode, ["Sampling:Interval"] = "00:00:00.200" });
        await Poll.Until(async () => (await agent.Metrics()).Value("target_process_cpu_seconds_total", "mode", "user") is not null, TimeSpan.FromSeconds(10), "first sample");

        var series = await agent.Metrics();

        // dotnet_* and process_* are the agent's own; target_* and agent_* are what it reports on.
        Assert.InRange(series.Count(s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal) || s.Name.StartsWith("process_", StringComparison.Ordinal)), min, max);
        Assert.Contains(series, s => s.Name == "target_process_resident_memory_bytes");
    }
}
