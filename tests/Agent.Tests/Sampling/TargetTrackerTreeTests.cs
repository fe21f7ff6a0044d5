using System.Diagnostics;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;
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

    private TargetTracker Tracker(TargetSelector selector, bool includeChildren) =>
        new("app", true, selector, new ProcessReader(new ProcSystem(_fs)), includeChildren, TimeSpan.FromSeconds(1), _time, NullLogger.Instance, new RepeatGate(_time));

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

        // Same pid, new start time: the container restarted and got pid 2 again.
        var statPath = Path.Combine(_root, "2", "stat");
        File.WriteAllText(statPath, File.ReadAllText(statPath).Replace(" 900 3133440 ", " 5000 3133440 ", StringComparison.Ordinal));
        var restarted = Tick(tracker);

        Assert.Equal(1, restarted.Restarts);
        Assert.Equal(5000UL, restarted.Sample!.Identity.StartTimeTicks);

        Directory.Delete(Path.Combine(_root, "2"), recursive: true);
        Directory.Delete(Path.Combine(_root, "8"), recursive: true);
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
}
