using Agent.Containers;
using Agent.Procfs;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Containers;

/// <summary>
/// OOM attribution and the monotonic counters on a writable v2 tree the test edits between ticks
/// (a Kubernetes pod: each container generation gets a cgroup of its own). The watcher case uses
/// the real inotify: the kernel signals a write to the tree's memory.events as it signals the
/// cgroup file.
/// </summary>
public sealed class ContainerTrackerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cgroup-tree-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ListLogger<ContainerTrackerTests> _log = new();
    private readonly byte[] _buffer = new byte[16 * 1024];

    public ContainerTrackerTests()
    {
        Write("proc/self/mountinfo", "1216 1215 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string text)
    {
        var full = Path.Join(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    /// <summary>A process <paramref name="pid"/> in cgroup <paramref name="cgroup"/> with a 64 MiB limit.</summary>
    private void Process(int pid, string cgroup, long oomKill = 0, long usage = 50 << 20)
    {
        Write($"proc/{pid}/cgroup", $"0::/{cgroup}\n");
        Write($"sys/fs/cgroup/{cgroup}/memory.current", $"{usage}\n");
        Write($"sys/fs/cgroup/{cgroup}/memory.max", $"{64 << 20}\n");
        Write($"sys/fs/cgroup/{cgroup}/memory.stat", "anon 1\nfile 1\ninactive_file 0\n");
        Events(cgroup, oomKill);
    }

    private void Events(string cgroup, long oomKill) =>
        Write($"sys/fs/cgroup/{cgroup}/memory.events", $"low 0\nhigh 0\nmax {oomKill * 3}\noom {oomKill}\noom_kill {oomKill}\noom_group_kill 0\n");

    private ContainerTracker Tracker(OomWatcher? watcher = null, TimeSpan readEvery = default) =>
        new("app", new ProcFs(Path.Join(_root, "proc")), watcher, _time, _log, _root, readEvery);

    private (ContainerSample? Sample, OomState Oom) Tick(ContainerTracker t, int? pid, long restarts = 0)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        return t.Tick(pid, pid is { } p ? (ulong)p * 10 : 0, pid is null ? null : "app", restarts, _time.GetUtcNow(), _buffer);
    }

    [Fact]
    public void A_worker_killed_while_the_target_lives_on_is_counted_and_named_as_such()
    {
        Process(4242, "pod/app");
        using var t = Tracker();
        Tick(t, 4242);

        Events("pod/app", 1); // a child of the target hit the limit
        var (sample, seen) = Tick(t, 4242);
        Assert.Equal(1, sample!.OomKills);
        Assert.Null(seen.Last); // judged on the next tick: the target may still be dying

        var (_, oom) = Tick(t, 4242);
        var kill = Assert.IsType<OomKill>(oom.Last);
        Assert.False(kill.TargetKilled);
        Assert.Equal(4242, kill.Pid);
        Assert.Equal(1, kill.Kills);
        Assert.Equal(64 << 20, kill.LimitBytes);
        Assert.Equal(0, oom.KilledRestarts);
        Assert.Contains(_log.Entries, e => e.EventId == 265 && e.Message.Contains("survives", StringComparison.Ordinal));
    }

    [Fact]
    public void The_target_killed_and_restarted_in_a_new_cgroup_is_one_oom_killed_restart()
    {
        Process(4242, "pod/gen1");
        using var t = Tracker();
        Tick(t, 4242);
        Tick(t, 4242);

        Events("pod/gen1", 1); // killed between two ticks; the old cgroup is still there at the next tick
        var (_, lost) = Tick(t, null);
        Assert.True(lost.Last!.TargetKilled);
        Assert.Equal(4242, lost.Last.Pid);
        Assert.Contains(_log.Entries, e => e.EventId == 264 && e.Message.Contains("pid 4242 (app) was OOM-killed", StringComparison.Ordinal)
            && e.Message.Contains("64.0 MiB", StringComparison.Ordinal) && e.Message.Contains("50.0 MiB", StringComparison.Ordinal));

        Process(4343, "pod/gen2"); // the new container: a fresh cgroup, counters from 0
        var (sample, oom) = Tick(t, 4343, restarts: 1);
        Assert.Equal(1, oom.KilledRestarts);
        Assert.Equal(1, oom.Kills);
        Assert.Equal(1, sample!.OomKills); // carried over from gen1: monotonic for Prometheus

        Events("pod/gen2", 0);
        Assert.Equal(1, Tick(t, 4343, restarts: 1).Oom.KilledRestarts); // counted once
    }

    [Fact]
    public void A_restart_without_an_oom_kill_is_not_attributed()
    {
        Process(4242, "pod/gen1");
        using var t = Tracker();
        Tick(t, 4242);
        Tick(t, null);
        Process(4343, "pod/gen2");
        var (_, oom) = Tick(t, 4343, restarts: 1);

        Assert.Null(oom.Last);
        Assert.Equal(0, oom.KilledRestarts);
        Assert.Equal(0, oom.Kills);
    }

    [Fact]
    public void Kills_from_before_the_agent_followed_the_target_are_counted_but_not_attributed()
    {
        Process(4242, "svc", oomKill: 3);
        using var t = Tracker();
        var (sample, oom) = Tick(t, 4242);
        Tick(t, 4242);

        Assert.Equal(3, sample!.OomKills); // the kernel's count
        Assert.Null(Tick(t, 4242).Oom.Last);
        Assert.Equal(3, oom.Kills);
    }

    [Fact]
    public void A_restart_in_the_same_cgroup_systemd_style_keeps_one_counter()
    {
        Process(4242, "system.slice/app.service");
        using var t = Tracker();
        Tick(t, 4242);

        Events("system.slice/app.service", 1);
        Process(4343, "system.slice/app.service", oomKill: 1); // restarted within the interval
        var (sample, oom) = Tick(t, 4343, restarts: 1);

        Assert.True(oom.Last!.TargetKilled);
        Assert.Equal(4242, oom.Last.Pid);
        Assert.Equal(1, oom.KilledRestarts);
        Assert.Equal(1, sample!.OomKills);
    }

    [Fact]
    public void Without_the_watcher_a_kill_whose_cgroup_is_gone_by_the_next_tick_is_missed()
    {
        Process(4242, "pod/gen1");
        using var t = Tracker(watcher: null);
        Tick(t, 4242);

        Events("pod/gen1", 1);
        Directory.Delete(Path.Join(_root, "sys/fs/cgroup/pod/gen1"), recursive: true); // containerd removes it
        var (_, oom) = Tick(t, null);

        Assert.Null(oom.Last);
    }

    [Fact]
    public async Task With_the_watcher_a_kill_whose_cgroup_is_gone_by_the_next_tick_is_still_attributed()
    {
        Process(4242, "pod/gen1");
        using var watcher = new OomWatcher();
        using var t = Tracker(watcher);
        Tick(t, 4242);
        Assert.Null(t.WatchProblem);

        Events("pod/gen1", 1);
        // The watcher's thread reads the file as soon as the kernel signals the write.
        await Poll(() => t.OomKillsSeen == 1, "the watcher to read oom_kill 1"); // no tick in between
        Directory.Delete(Path.Join(_root, "sys/fs/cgroup/pod/gen1"), recursive: true);
        var (_, oom) = Tick(t, null);

        Assert.True(oom.Last!.TargetKilled);
        Assert.Equal(1, oom.Kills);
    }

    [Fact]
    public void The_throttled_share_is_over_the_last_interval_and_absent_without_a_limit()
    {
        Process(4242, "cpu");
        Write("sys/fs/cgroup/cpu/cpu.max", "20000 100000\n");
        Write("sys/fs/cgroup/cpu/cpu.stat", "usage_usec 1\nnr_periods 100\nnr_throttled 10\nthrottled_usec 5\n");
        using var t = Tracker();
        Assert.Null(Tick(t, 4242).Sample!.ThrottledRatio); // no interval yet

        Write("sys/fs/cgroup/cpu/cpu.stat", "usage_usec 2\nnr_periods 110\nnr_throttled 18\nthrottled_usec 9\n");
        Assert.Equal(0.8, Tick(t, 4242).Sample!.ThrottledRatio!.Value, 6);

        Write("sys/fs/cgroup/cpu/cpu.max", "max 100000\n");
        Assert.Null(Tick(t, 4242).Sample!.ThrottledRatio);
    }

    [Fact]
    public void The_files_are_read_at_their_own_cadence_and_at_once_for_a_new_process()
    {
        Process(4242, "svc", usage: 10 << 20);
        using var t = Tracker(readEvery: TimeSpan.FromSeconds(5));
        var first = Tick(t, 4242).Sample!;
        Assert.Equal(10 << 20, first.Values.MemoryUsage);

        Write("sys/fs/cgroup/svc/memory.current", $"{20 << 20}\n");
        var between = Enumerable.Range(0, 4).Select(_ => Tick(t, 4242).Sample).ToList(); // 1 s ticks
        Assert.All(between, s => Assert.Same(first, s)); // no read: the last one stands

        Assert.Equal(20 << 20, Tick(t, 4242).Sample!.Values.MemoryUsage); // 5 s after the first read

        Process(4343, "svc", usage: 30 << 20);
        Assert.Equal(30 << 20, Tick(t, 4343, restarts: 1).Sample!.Values.MemoryUsage); // a new process: read on its first tick
    }

    [Fact]
    public void A_moved_process_is_followed_to_its_new_cgroup()
    {
        Process(4242, "a");
        using var t = Tracker();
        Assert.Equal("/a", Tick(t, 4242).Sample!.Cgroup);

        Process(4242, "b");
        var seen = Enumerable.Range(0, ContainerTracker.RecheckTicks).Select(_ => Tick(t, 4242).Sample!.Cgroup).ToList();

        Assert.Equal("/b", seen[^1]);
    }

    private static async Task Poll(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}

public class MonotonicTotalTests
{
    [Fact]
    public void Equals_the_file_while_one_cgroup_is_read_and_carries_over_at_a_change_or_a_reset()
    {
        var total = default(MonotonicTotal);
        Assert.Null(total.Total);

        total.Observe("/a", 3);
        Assert.Equal(3, total.Total);
        total.Observe("/a", null); // unreadable: keeps the last
        Assert.Equal(3, total.Total);
        total.Observe("/b", 0);
        Assert.Equal(3, total.Total);
        total.Observe("/b", 2);
        Assert.Equal(5, total.Total);
        total.Observe("/b", 1); // recreated under the same path
        Assert.Equal(6, total.Total);
    }
}
