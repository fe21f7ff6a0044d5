using System.Diagnostics;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Sampling;

/// <summary>
/// The tracker on a copy of the pod fixture tree, changed between ticks as a live system would
/// change: a worker exits, the app restarts, the app vanishes. Expected values are read from the
/// fixture files with plain string splitting and getconf, not with the agent's parsers.
/// </summary>
public sealed class TargetTrackerTreeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("proc-tree-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly ProcFs _fs;

    public TargetTrackerTreeTests()
    {
        // cp -a keeps the fd/ links as links (they dangle on purpose).
        using var cp = Process.Start("cp", ["-a", Fixtures.TreePath("proc-pod") + "/.", _root])!;
        cp.WaitForExit();
        Assert.Equal(0, cp.ExitCode);
        _fs = new ProcFs(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static long Getconf(string name)
    {
        using var p = Process.Start(new ProcessStartInfo("getconf", name) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.Parse(text.Trim());
    }

    private string[] StatFields(int pid)
    {
        var line = File.ReadAllText(Path.Combine(_root, pid.ToString(), "stat"));
        return ["", pid.ToString(), "comm", .. line[(line.LastIndexOf(')') + 2)..].Split(' ')]; // index = proc(5) field number
    }

    private long StatusKb(int pid, string key) =>
        long.Parse(File.ReadLines(Path.Combine(_root, pid.ToString(), "status")).Single(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim().Split(' ')[0]) * 1024;

    private TargetTracker Tracker(TargetSelector selector, bool includeChildren, ILogger? logger = null) =>
        new("app", true, selector, new ProcessReader(new ProcSystem(_fs)), includeChildren, TimeSpan.FromSeconds(1), _time, logger ?? NullLogger.Instance, new RepeatGate(_time));

    /// <summary>Rewrites proc(5) field <paramref name="field"/> (≥ 3) of a process's stat.</summary>
    private void SetStat(int pid, int field, string value)
    {
        var path = Path.Combine(_root, pid.ToString(), "stat");
        var line = File.ReadAllText(path);
        var close = line.LastIndexOf(')');
        var rest = line[(close + 2)..].Split(' ');
        rest[field - 3] = value;
        File.WriteAllText(path, line[..(close + 2)] + string.Join(' ', rest));
    }

    /// <summary>A new process: a copy of cron's files with pid, parent, comm and start time changed.</summary>
    private void Start(int pid, int ppid, string comm, ulong start)
    {
        var dir = Path.Combine(_root, pid.ToString());
        using (var cp = Process.Start("cp", ["-a", Path.Combine(Fixtures.TreePath("proc-pod"), "7"), dir])!)
        {
            cp.WaitForExit();
        }

        var rest = StatFields(pid)[3..];
        rest[4 - 3] = ppid.ToString();
        rest[22 - 3] = start.ToString();
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} ({comm}) {string.Join(' ', rest)}");
    }

    private void Kill(int pid) => Directory.Delete(Path.Combine(_root, pid.ToString()), recursive: true);

    private TargetSnapshot Tick(TargetTracker tracker)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        return tracker.Tick(new SelectionContext(_fs, 6));
    }

    [Fact]
    public void One_process_reports_what_its_files_say()
    {
        var ticks = (double)Getconf("CLK_TCK");
        var page = Getconf("PAGESIZE");
        var stat = StatFields(2);
        var btime = long.Parse(File.ReadLines(Path.Combine(_root, "stat")).Single(l => l.StartsWith("btime ", StringComparison.Ordinal))[6..]);

        var s = Tick(Tracker(new PidSelector(2), includeChildren: false)).Sample!;

        Assert.Equal(1, s.ProcessCount);
        Assert.Equal("app", s.Name);
        Assert.Equal(long.Parse(stat[14]) / ticks, s.CpuUserSeconds, 6);
        Assert.Equal(long.Parse(stat[15]) / ticks, s.CpuSystemSeconds, 6);
        Assert.Equal(long.Parse(stat[24]) * page, s.ResidentBytes);
        Assert.Equal(StatusKb(2, "VmHWM"), s.ResidentPeakBytes);
        Assert.Equal(long.Parse(stat[23]), s.VirtualBytes);
        Assert.Equal(long.Parse(stat[20]), s.Threads);
        Assert.Equal(btime + (long.Parse(stat[22]) / ticks), s.StartTimeSeconds, 6);
        Assert.Equal(Directory.GetFileSystemEntries(Path.Combine(_root, "2", "fd")).Length, s.OpenFds);
        Assert.Equal(65536, s.MaxFds);
        Assert.Equal(4096, s.IoReadBytes);
        Assert.Equal(8192, s.IoWriteBytes);
        Assert.Equal(long.Parse(stat[10]), s.MinorPageFaults);
        Assert.Equal(long.Parse(stat[12]), s.MajorPageFaults);
    }

    [Fact]
    public void A_tree_sums_its_live_members_and_stays_monotonic_when_a_worker_exits()
    {
        var ticks = (double)Getconf("CLK_TCK");
        var page = Getconf("PAGESIZE");
        var tracker = Tracker(new PidSelector(2), includeChildren: true);

        var s = Tick(tracker).Sample!;

        // pid 2 and its worker 8; the zombie 11 holds nothing and is not counted.
        Assert.Equal(2, s.ProcessCount);
        Assert.Equal((long.Parse(StatFields(2)[14]) + long.Parse(StatFields(8)[14])) / ticks, s.CpuUserSeconds, 6);
        Assert.Equal((long.Parse(StatFields(2)[24]) + long.Parse(StatFields(8)[24])) * page, s.ResidentBytes);
        Assert.Equal(StatusKb(2, "VmHWM") + StatusKb(8, "VmHWM"), s.ResidentPeakBytes);
        Assert.Equal(long.Parse(StatFields(2)[20]) + long.Parse(StatFields(8)[20]), s.Threads);
        Assert.Equal(10, s.OpenFds);
        var cpuBefore = s.CpuUserSeconds;

        Directory.Delete(Path.Combine(_root, "8"), recursive: true); // the worker exits
        var after = Tick(tracker).Sample!;

        Assert.Equal(1, after.ProcessCount);
        Assert.Equal(cpuBefore, after.CpuUserSeconds, 6); // its CPU stays counted
        Assert.Equal(long.Parse(StatFields(2)[24]) * page, after.ResidentBytes); // gauges drop it
        Assert.Equal(0, Tick(tracker).Restarts);
    }

    [Fact]
    public void A_new_start_time_is_a_restart_and_a_vanished_target_is_explained()
    {
        var tracker = Tracker(new ProcessNameSelector("app"), includeChildren: true);
        var first = Tick(tracker);
        Assert.Equal(2, first.Sample!.Identity.Pid);
        Assert.Equal(0, first.Restarts);

        // Same pid, new start time: the container restarted (its worker with it) and got pid 2 again.
        var statPath = Path.Combine(_root, "2", "stat");
        File.WriteAllText(statPath, File.ReadAllText(statPath).Replace(" 900 3133440 ", " 5000 3133440 ", StringComparison.Ordinal));
        Directory.Delete(Path.Combine(_root, "8"), recursive: true);
        var restarted = Tick(tracker);

        Assert.Equal(1, restarted.Restarts);
        Assert.Equal(5000UL, restarted.Sample!.Identity.StartTimeTicks);

        Directory.Delete(Path.Combine(_root, "2"), recursive: true);
        var gone = Tick(tracker);

        Assert.Null(gone.Sample);
        Assert.Equal("no process matches name=app", gone.Problem);
        Assert.Equal(1, gone.Restarts);
    }

    [Fact]
    public void Limits_are_read_on_the_first_tick_and_then_every_tenth()
    {
        var tracker = Tracker(new PidSelector(2), includeChildren: false);
        Assert.Equal(65536, Tick(tracker).Sample!.MaxFds);

        var limits = Path.Combine(_root, "2", "limits");
        File.WriteAllText(limits, File.ReadAllText(limits).Replace("65536", "1024", StringComparison.Ordinal));
        var seen = Enumerable.Range(0, LimitsCadence.Every).Select(_ => Tick(tracker).Sample!.MaxFds).ToList();

        Assert.Equal(Enumerable.Repeat<double?>(65536, LimitsCadence.Every - 1).Append(1024), seen);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_crashed_masters_orphan_continues_the_target_and_the_next_master_from_outside_is_one_restart(bool includeChildren)
    {
        var tracker = Tracker(new ProcessNameSelector("app"), includeChildren);
        var first = Tick(tracker).Sample!;
        Assert.Equal(2, first.Identity.Pid);

        // The master is killed alone; its worker (pid 8, comm app) is re-parented to the pod's init.
        Kill(2);
        Kill(11);
        SetStat(8, 4, "1");
        var orphan = Tick(tracker);
        Assert.Equal(8, orphan.Sample!.Identity.Pid);
        Assert.Equal(0, orphan.Restarts);
        Assert.Equal(first.CountersSinceSeconds, orphan.Sample.CountersSinceSeconds); // the same counters go on
        Assert.Equal(first.CpuUserSeconds, orphan.Sample.CpuUserSeconds); // neither falling nor jumping by the orphan's past

        // The orphan leaves; the container's new first process (parent 0, as the old master's) takes its place.
        Kill(8);
        Start(20, 0, "app", 6000);
        var next = Enumerable.Range(0, 3).Select(_ => Tick(tracker)).Last();
        Assert.Equal(20, next.Sample!.Identity.Pid);
        Assert.Equal(1, next.Restarts);
        Assert.Equal(next.Sample.StartTimeSeconds, next.Sample.CountersSinceSeconds);
    }

    [Fact]
    public void A_process_of_the_anchors_parent_started_after_it_is_a_restart_not_an_orphan()
    {
        var tracker = Tracker(new ProcessNameSelector("app"), includeChildren: false);
        Tick(tracker);

        // A supervisor (the anchor's parent) starts a new instance after the old one died.
        Kill(2);
        Kill(8);
        Kill(11);
        Start(20, 0, "app", 6000);

        Assert.Equal(1, Enumerable.Range(0, 3).Select(_ => Tick(tracker)).Last().Restarts);
    }

    [Fact]
    public void A_fixed_pid_names_a_process_and_stays_down_when_the_pid_is_reused()
    {
        var logger = new ListLogger<TargetTrackerTreeTests>();
        var tracker = Tracker(new PidSelector(2), includeChildren: false, logger);
        Assert.NotNull(Tick(tracker).Sample);

        SetStat(2, 22, "7000"); // another process now has pid 2
        SetStat(2, 3, "S");
        var ticks = Enumerable.Range(0, 4).Select(_ => Tick(tracker)).ToList();

        Assert.All(ticks, t => Assert.Null(t.Sample));
        Assert.Equal("process 2 (app) exited; Target:Pid names that process, not its pid: pid 2 is now another process (app), not followed", ticks[^1].Problem);
        Assert.Equal(0, ticks[^1].Restarts);
        Assert.Single(logger.Entries, e => e.EventId == 43);
    }

    [Fact]
    public void A_second_match_is_logged_once_with_the_one_chosen_and_why()
    {
        var logger = new ListLogger<TargetTrackerTreeTests>();
        Start(20, 1, "app", 6000); // another app, adopted by the pod's init
        var tracker = Tracker(new ProcessNameSelector("app"), includeChildren: false, logger);

        Tick(tracker);
        Tick(tracker);

        var line = Assert.Single(logger.Entries, e => e.EventId == 42).Message;
        // pid 8 is pid 2's own worker: not another match.
        Assert.Equal("Target app: 2 process trees match name=app; following pid 2 (app): the oldest of the matches whose parent does not match; also 20 (app)", line);
    }

    [Fact]
    public void A_master_and_its_own_workers_are_one_match_and_not_logged()
    {
        var logger = new ListLogger<TargetTrackerTreeTests>();
        var tracker = Tracker(new ProcessNameSelector("app"), includeChildren: true, logger);

        Assert.Equal(2, Tick(tracker).Sample!.ProcessCount);
        Assert.DoesNotContain(logger.Entries, e => e.EventId == 42);
    }

    [Fact]
    public void A_pid_file_written_before_its_process_started_is_stale()
    {
        // Booted 100 s ago by /proc/uptime; the app (pid 2) started at tick 900, 9 s after boot.
        File.WriteAllText(Path.Combine(_root, "uptime"), "100.00 50.00\n");
        var pidFile = Path.Combine(_root, "app.pid");
        File.WriteAllText(pidFile, "2\n");
        var hz = Getconf("CLK_TCK");
        var boot = DateTime.UtcNow - TimeSpan.FromSeconds(100);
        var tracker = Tracker(new PidFileSelector(pidFile), includeChildren: false);

        File.SetLastWriteTimeUtc(pidFile, boot + TimeSpan.FromSeconds(900.0 / hz) - TimeSpan.FromSeconds(5)); // 5 s before it started
        var stale = Tick(tracker);
        Assert.Null(stale.Sample);
        Assert.StartsWith($"pid file {pidFile} is stale: written ", stale.Problem, StringComparison.Ordinal);
        Assert.Contains("but process 2 (app) started after it", stale.Problem, StringComparison.Ordinal);

        File.SetLastWriteTimeUtc(pidFile, boot + TimeSpan.FromSeconds(900.0 / hz) + TimeSpan.FromSeconds(1)); // written by it
        Assert.Equal(2, Enumerable.Range(0, 3).Select(_ => Tick(tracker)).Last().Sample?.Identity.Pid);
    }

    [Fact]
    public void A_process_whose_leader_thread_exited_is_followed_with_memory_from_a_live_thread()
    {
        // The leader (pid 8) shows Z with 2 threads and no memory; its thread 9 runs with 1000 pages.
        SetStat(8, 3, "Z");
        SetStat(8, 20, "2");
        SetStat(8, 24, "0");
        var task = Path.Combine(_root, "8", "task", "9");
        Directory.CreateDirectory(task);
        File.WriteAllText(Path.Combine(task, "stat"), File.ReadAllText(Path.Combine(_root, "8", "stat")).Replace("8 (app) Z", "9 (app) S", StringComparison.Ordinal).Replace(" 3133440 0 ", " 3133440 1000 ", StringComparison.Ordinal));
        File.Copy(Path.Combine(_root, "8", "status"), Path.Combine(task, "status"));

        var s = Tick(Tracker(new PidSelector(8), includeChildren: false)).Sample!;

        Assert.Equal(8, s.Identity.Pid);
        Assert.Equal(1000 * Getconf("PAGESIZE"), s.ResidentBytes);
        Assert.Equal(2, s.Threads);
    }
}
