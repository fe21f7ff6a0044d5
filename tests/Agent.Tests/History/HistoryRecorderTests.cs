using System.Collections.Immutable;
using Agent.History;
using Agent.Probes;
using static Agent.Tests.History.HistoryData;

namespace Agent.Tests.History;

public class HistoryRecorderTests
{
    private static readonly ImmutableDictionary<string, ProbeResult> NoProbes = ImmutableDictionary<string, ProbeResult>.Empty;

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Cpu_is_the_share_of_a_core_between_ticks_and_starts_unknown_for_each_process()
    {
        var store = new HistoryStore(S(1), []);
        var recorder = new HistoryRecorder(store);
        recorder.Record("app", Snapshot(Sample(10, 3.0), S(0)), null, NoProbes);
        recorder.Record("app", Snapshot(Sample(10, 3.5), S(1)), null, NoProbes);    // 0.5 s of CPU in 1 s
        recorder.Record("app", Snapshot(Sample(10, 7.5), S(3)), null, NoProbes);    // 4 s in 2 s: two cores
        recorder.Record("app", Snapshot(null, S(4)), null, NoProbes);               // gone: no point
        recorder.Record("app", Snapshot(Sample(11, 0.2, start: 2000), S(5), 1), null, NoProbes);

        var (times, points) = store.Target("app").Copy();
        Assert.Equal(4, points.Length);
        Assert.True(float.IsNaN(points[0].CpuCores));
        Assert.Equal(0.5f, points[1].CpuCores, 5);
        Assert.Equal(2.0f, points[2].CpuCores, 5);
        Assert.True(float.IsNaN(points[3].CpuCores)); // a new process: no share against the old one's total
        Assert.Equal((T0 + S(5)).ToUnixTimeMilliseconds(), times[3]);
        Assert.Equal(64u * 1024, points[0].RssKiB);
        Assert.Equal(12, points[0].OpenFds);
    }

    [Fact]
    public void An_oom_kill_is_one_event_on_the_timeline_with_the_limit_and_the_usage()
    {
        var store = new HistoryStore(S(1), []);
        var recorder = new HistoryRecorder(store);
        var kill = new Agent.Containers.OomKill(1, T0 + S(1.5), true, 10, "app", 1, 64L << 20, 63L << 20, "/pod/app");
        recorder.Record("app", Snapshot(Sample(10, 1), S(0)), null, NoProbes);
        recorder.Record("app", Snapshot(null, S(2)) with { Oom = new(1, 0, kill) }, null, NoProbes);
        recorder.Record("app", Snapshot(null, S(3)) with { Oom = new(1, 0, kill) }, null, NoProbes); // the same kill again: no new event
        recorder.Record("app", Snapshot(Sample(11, 0, start: 2000), S(4), 1) with { Oom = new(1, 1, kill) }, null, NoProbes);

        var events = store.Events.Newest(10);
        var oom = Assert.Single(events, e => e.Kind == HistoryEventKind.OomKilled);
        Assert.Equal("oom-killed", oom.KindLabel);
        Assert.True(oom.IsBad);
        Assert.Equal(T0 + S(1.5), oom.At);
        Assert.Equal("pid 10 (app) was OOM-killed: its cgroup /pod/app reached the memory limit (limit 64.0 MiB, last usage seen 63.0 MiB)", oom.Detail);
        Assert.Equal([HistoryEventKind.TargetRestarted, HistoryEventKind.TargetLost, HistoryEventKind.OomKilled, HistoryEventKind.TargetFound], events.Select(e => e.Kind));
    }

    [Fact]
    public void Unreadable_fds_and_a_runtime_of_another_pid_are_unknown_not_zero()
    {
        var store = new HistoryStore(S(1), []);
        var recorder = new HistoryRecorder(store);
        var otherPid = new Agent.Runtimes.DotnetRuntimeSnapshot(99, new Dictionary<string, double>(), 5e6, 0.01, null, null, null, null, null, null);
        var samePid = otherPid with { Pid = 10 };
        recorder.Record("app", Snapshot(Sample(10, 1, fds: null), S(0)), otherPid, NoProbes);
        recorder.Record("app", Snapshot(Sample(10, 1, fds: null), S(1)), samePid, NoProbes);

        var (_, points) = store.Target("app").Copy();
        Assert.Equal(-1, points[0].OpenFds);
        Assert.True(float.IsNaN(points[0].HeapBytes));
        Assert.Equal(5e6f, points[1].HeapBytes);
        Assert.Equal(0.01f, points[1].GcPauseRatio);
    }

    [Fact]
    public void Target_found_lost_and_restarted_become_events()
    {
        var store = new HistoryStore(S(1), []);
        var recorder = new HistoryRecorder(store);
        recorder.Record("app", Snapshot(null, S(0)), null, NoProbes);
        recorder.Record("app", Snapshot(Sample(10, 1), S(1)), null, NoProbes);
        recorder.Record("app", Snapshot(Sample(10, 1), S(2)), null, NoProbes);
        recorder.Record("app", Snapshot(null, S(3)), null, NoProbes);
        recorder.Record("app", Snapshot(null, S(4)), null, NoProbes);
        recorder.Record("app", Snapshot(Sample(12, 1, start: 5000), S(5), restarts: 1), null, NoProbes);
        recorder.Record("app", Snapshot(Sample(13, 1, start: 6000), S(6), restarts: 2), null, NoProbes); // replaced within one tick

        var events = store.Events.Newest(10).Reverse().ToList();
        Assert.Equal(
            [HistoryEventKind.TargetFound, HistoryEventKind.TargetLost, HistoryEventKind.TargetRestarted, HistoryEventKind.TargetRestarted],
            events.Select(e => e.Kind));
        Assert.Equal([T0 + S(1), T0 + S(3), T0 + S(5), T0 + S(6)], events.Select(e => e.At));
        Assert.Contains("pid 10", events[1].Detail, StringComparison.Ordinal);
        Assert.Contains("pid 10 (app) replaced by pid 12", events[2].Detail, StringComparison.Ordinal);
        Assert.Contains("pid 12 (app) replaced by pid 13", events[3].Detail, StringComparison.Ordinal);
        Assert.All(events, e => Assert.Equal("app", e.Subject));
    }

    [Fact]
    public void Probe_results_are_recorded_once_each_and_state_changes_carry_the_reason()
    {
        var probe = Probe("cache");
        var store = new HistoryStore(S(1), [probe]);
        var recorder = new HistoryRecorder(store);
        var sample = Snapshot(Sample(10, 1), S(0));
        void Tick(ProbeResult r) => recorder.Record("app", sample, null, ImmutableDictionary<string, ProbeResult>.Empty.Add("cache", r));

        var ok1 = Result(probe, S(1));
        Tick(ok1);
        Tick(ok1); // the same result on the next tick: not a new point
        Tick(Result(probe, S(2)));
        Tick(Result(probe, S(3), FailureReason.Refused, 0.4));
        Tick(Result(probe, S(4), FailureReason.Refused, 0.3));
        Tick(Result(probe, S(5), FailureReason.Timeout, 500));
        Tick(Result(probe, S(6)));

        var history = store.Probes.Single();
        var (times, points) = history.Copy();
        Assert.Equal(6, points.Length);
        Assert.Equal([ProbeState.Ok, ProbeState.Ok, ProbeStates.Failed(FailureReason.Refused), ProbeStates.Failed(FailureReason.Refused), ProbeStates.Failed(FailureReason.Timeout), ProbeState.Ok], points.Select(p => p.State));
        Assert.Equal(500f, points[4].LatencyMs);
        Assert.Equal((1, T0 + S(6)), history.Streak());

        var events = store.Events.Newest(10).Where(e => e.Subject == "cache").Reverse().ToList();
        Assert.Equal([HistoryEventKind.ProbeFailed, HistoryEventKind.ProbeChanged, HistoryEventKind.ProbeRecovered], events.Select(e => e.Kind));
        Assert.StartsWith("refused: ", events[0].Detail, StringComparison.Ordinal);
        Assert.StartsWith("refused → timeout", events[1].Detail, StringComparison.Ordinal);
        Assert.Contains("after timeout", events[2].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_result_that_fails_is_an_event()
    {
        var probe = Probe("db");
        var store = new HistoryStore(S(1), [probe]);
        new HistoryRecorder(store).Record("app", Snapshot(null, S(0)), null, ImmutableDictionary<string, ProbeResult>.Empty.Add("db", Result(probe, S(1), FailureReason.Auth)));

        var e = Assert.Single(store.Events.Newest(10));
        Assert.Equal(HistoryEventKind.ProbeFailed, e.Kind);
        Assert.StartsWith("auth", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_event_log_keeps_the_newest_and_drops_the_oldest()
    {
        // The README promises "the last 200 events": the number is the promise's, not the code's constant.
        const int Promised = 200;
        var log = new EventLog();
        for (var i = 0; i < Promised + 5; i++)
        {
            log.Add(new HistoryEvent(T0 + S(i), HistoryEventKind.TargetFound, "app", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var all = log.Newest(int.MaxValue);
        Assert.Equal(Promised, all.Length);
        Assert.Equal((Promised + 4).ToString(System.Globalization.CultureInfo.InvariantCulture), all[0].Detail);
        Assert.Equal("5", all[^1].Detail);
    }
}
