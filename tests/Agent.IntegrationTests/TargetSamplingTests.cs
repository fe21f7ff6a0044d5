using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>The agent's readings of a real process against psutil's readings of the same process.</summary>
public sealed class TargetSamplingTests
{
    [Fact]
    public async Task Cpu_memory_and_threads_agree_with_psutil()
    {
        // 96 MiB held, 5 extra threads, 1.5 s of CPU burnt before it idles.
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "burner.py"), "96", "5", "1.5"]);
        // 1.5 CPU-seconds and 96 MiB touched before 'ready': at load ~60 on 2 cores that took over 30 s.
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(120));
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(),
            ["Sampling:Interval"] = "00:00:00.250",
        });

        string last = "no reading yet";
        await Poll.Until(
            async () =>
            {
                var oracle = await Psutil.Read(target.Pid);
                var m = await agent.Metrics();
                var user = m.Value("target_process_cpu_seconds_total", "mode", "user");
                var system = m.Value("target_process_cpu_seconds_total", "mode", "system");
                var rss = m.Value("target_process_resident_memory_bytes");
                var threads = m.Value("target_process_threads");
                var pid = m.Named("target_process_info").SingleOrDefault()?["pid"];
                last = $"agent user={user} system={system} rss={rss} threads={threads} pid={pid}; psutil {oracle}";
                return pid == target.Pid.ToString()
                    && Math.Abs(user!.Value - oracle.GetProperty("cpu_user").GetDouble()) <= 0.05
                    && Math.Abs(system!.Value - oracle.GetProperty("cpu_system").GetDouble()) <= 0.05
                    && Math.Abs(rss!.Value - oracle.GetProperty("rss").GetDouble()) <= 0.02 * oracle.GetProperty("rss").GetDouble()
                    && threads == oracle.GetProperty("threads").GetInt32();
            },
            TimeSpan.FromSeconds(15),
            "agent and psutil agree");

        var final = await agent.Metrics();
        var o = await Psutil.Read(target.Pid);
        // It really burnt CPU (the burner's clock reads are syscalls: much of it is system time).
        Assert.True(final.Value("target_process_cpu_seconds_total", "mode", "user") + final.Value("target_process_cpu_seconds_total", "mode", "system") >= 1.4, last);
        Assert.True(final.Value("target_process_resident_memory_bytes") >= 96 * 1024 * 1024, last);
        Assert.Equal(o.GetProperty("threads").GetInt32(), (int)final.Value("target_process_threads")!.Value);
        Assert.Equal(o.GetProperty("create_time").GetDouble(), final.Value("target_process_start_time_seconds")!.Value, 0.02);
        Assert.Equal(o.GetProperty("fds").GetInt32(), (int)final.Value("target_process_open_fds")!.Value);
        Assert.Equal(1, final.Value("target_up"));
        Assert.Equal(1, final.Value("target_processes"));
    }

    [Fact]
    public async Task Every_other_process_family_agrees_with_psutil_or_the_tests_own_proc_read()
    {
        // 48 MiB held, 2 threads, 0.2 s of CPU, 4 MiB written, fsynced and read back from the
        // disk, an open-files soft limit of 777 (not a default, so a match is not a coincidence).
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "burner.py"), "48", "2", "0.2", "4", "777"]);
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(),
            ["Sampling:Interval"] = "00:00:00.250",
        });
        var pid = target.Pid;

        // The test's own reads: status by line name, stat by position after the last ')'.
        long StatusKb(string field) => long.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        string[] StatFields() => File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries); // [0] is field 3 (state)

        Dictionary<string, (double? Agent, double Oracle)> Compare(List<Series> m, System.Text.Json.JsonElement o)
        {
            var stat = StatFields();
            return new()
            {
                ["virtual memory (psutil vms)"] = (m.Value("target_process_virtual_memory_bytes"), o.GetProperty("vms").GetDouble()),
                ["peak rss (status VmHWM)"] = (m.Value("target_process_resident_memory_peak_bytes"), StatusKb("VmHWM") * 1024.0),
                ["swap (psutil, from smaps)"] = (m.Value("target_process_swap_bytes"), o.GetProperty("swap").GetDouble()),
                ["io read (psutil)"] = (m.Value("target_process_io_read_bytes_total"), o.GetProperty("io_read_bytes").GetDouble()),
                ["io write (psutil)"] = (m.Value("target_process_io_write_bytes_total"), o.GetProperty("io_write_bytes").GetDouble()),
                ["voluntary switches (psutil)"] = (m.Value("target_process_context_switches_total", "kind", "voluntary"), o.GetProperty("ctx_voluntary").GetDouble()),
                ["involuntary switches (psutil)"] = (m.Value("target_process_context_switches_total", "kind", "involuntary"), o.GetProperty("ctx_involuntary").GetDouble()),
                ["minor faults (stat field 10)"] = (m.Value("target_process_page_faults_total", "kind", "minor"), double.Parse(stat[10 - 3])),
                ["major faults (stat field 12)"] = (m.Value("target_process_page_faults_total", "kind", "major"), double.Parse(stat[12 - 3])),
                ["max fds (psutil rlimit)"] = (m.Value("target_process_max_fds"), o.GetProperty("max_fds_soft").GetDouble()),
            };
        }

        // The target is idle after "ready": every figure is stable, so they must agree exactly.
        var last = "no reading yet";
        await Poll.Until(
            async () =>
            {
                var c = Compare(await agent.Metrics(), await Psutil.Read(pid));
                last = string.Join("; ", c.Select(kv => $"{kv.Key}: agent {kv.Value.Agent} oracle {kv.Value.Oracle}"));
                return c.Values.All(v => v.Agent == v.Oracle);
            },
            TimeSpan.FromSeconds(15),
            "agent and the independent reads agree");

        Assert.True(Compare(await agent.Metrics(), await Psutil.Read(pid)).Values.All(v => v.Agent == v.Oracle), last);
        var m = await agent.Metrics();
        Assert.True(m.Value("target_process_io_write_bytes_total") >= 4 * 1024 * 1024, last); // the fsync reached the disk
        Assert.True(m.Value("target_process_io_read_bytes_total") >= 4 * 1024 * 1024, last);  // the read came from the disk
        Assert.True(m.Value("target_process_resident_memory_peak_bytes") >= 48 * 1024 * 1024, last);
        Assert.Equal(777, m.Value("target_process_max_fds"));
    }

    [Fact]
    public async Task Children_are_summed_when_asked()
    {
        // A shell holding two burners: the tree is sh + 2 python processes.
        var script = Path.Combine(Repo.Targets, "burner.py");
        await using var tree = ChildProcess.Start("/bin/sh", ["-c", $"/usr/bin/python3 {script} 32 1 0.3 & /usr/bin/python3 {script} 32 1 0.3 & wait"]);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = tree.Pid.ToString(),
            ["Target:IncludeChildren"] = "true",
            ["Sampling:Interval"] = "00:00:00.250",
        });

        await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                return m.Value("target_processes") == 3 && m.Value("target_process_resident_memory_bytes") >= 64 * 1024 * 1024;
            },
            TimeSpan.FromSeconds(20),
            "three processes summed, 64 MiB or more");
    }
}
