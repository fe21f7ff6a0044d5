using System.Collections.Immutable;
using Agent.History;
using Agent.Probes;
using Agent.Sampling;
using static Agent.Tests.History.HistoryData;

namespace Agent.Tests.History;

/// <summary>
/// The issue's cost budget, counted by the GC's own allocation counter (an independent source):
/// the tick allocates nothing for history once the rings exist, and 5 targets with 10 probes
/// fit in 256 KiB at the densest cadence (900 points each).
/// </summary>
public class HistoryCostTests
{
    private const int Ticks = 2000;

    [Fact]
    public void Recording_a_tick_allocates_nothing_once_the_rings_exist()
    {
        var probes = Enumerable.Range(0, 3).Select(i => Probe($"p{i}")).ToList();
        var store = new HistoryStore(TimeSpan.FromSeconds(1), probes);
        var recorder = new HistoryRecorder(store);
        var snapshots = Enumerable.Range(0, Ticks).Select(i => Snapshot(Sample(10, i * 0.01), TimeSpan.FromSeconds(i))).ToArray();
        var results = Enumerable.Range(0, Ticks)
            .Select(i => probes.ToImmutableDictionary(p => p.Name, p => Result(p, TimeSpan.FromSeconds(i), latencyMs: i % 7)))
            .ToArray();
        for (var i = 0; i < 10; i++)
        {
            recorder.Record("app", snapshots[i], null, results[i]); // creates the target's ring, found event
        }

        // Counted in windows of ticks: a per-tick allocation shows in every window, while the runtime's
        // own one-off work on this thread (a method moving up a JIT tier; 720 B once on a loaded
        // machine) lands in one window only. Steady state is the quietest window.
        var windows = new List<long>();
        const int Window = 400;
        for (var start = 10; start + Window <= Ticks; start += Window)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = start; i < start + Window; i++)
            {
                recorder.Record("app", snapshots[i], null, results[i]);
            }

            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(windows.Count >= 4);
        Assert.True(windows.Min() == 0, $"bytes allocated per window of {Window} ticks: {string.Join(", ", windows)}");
        Assert.Equal(900, store.Target("app").Copy().Points.Length);
    }

    [Fact]
    public void Five_targets_and_ten_probes_at_full_resolution_fit_in_256_KiB()
    {
        var probes = Enumerable.Range(0, 10).Select(i => Probe($"probe{i}", TimeSpan.FromMilliseconds(500))).ToList();
        var names = Enumerable.Range(0, 5).Select(i => $"target{i}").ToArray();
        var samples = Enumerable.Range(0, Ticks).Select(i => Sample(10, i * 0.01)).ToArray();
        var snapshots = new TargetSnapshot[Ticks];
        var results = new ProbeResult[Ticks];
        for (var i = 0; i < Ticks; i++)
        {
            snapshots[i] = Snapshot(samples[i], TimeSpan.FromSeconds(i));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var store = new HistoryStore(TimeSpan.FromMilliseconds(500), probes);
        foreach (var name in names)
        {
            var target = store.Target(name);
            for (var i = 0; i < Ticks; i++)
            {
                target.Record(snapshots[i], null);
            }
        }

        var retained = GC.GetAllocatedBytesForCurrentThread() - before;

        // Probe results are built outside the measured span, then recorded (recording allocates nothing).
        for (var p = 0; p < probes.Count; p++)
        {
            for (var i = 0; i < Ticks; i++)
            {
                results[i] = Result(probes[p], TimeSpan.FromSeconds(i));
            }

            var start = GC.GetAllocatedBytesForCurrentThread();
            foreach (var r in results)
            {
                store.Probes[p].Record(r, out _, out _);
            }

            retained += GC.GetAllocatedBytesForCurrentThread() - start;
        }

        Assert.All(names, n => Assert.Equal(HistoryWindow.MaxPoints, store.Target(n).Copy().Points.Length));
        Assert.All(store.Probes, p => Assert.Equal(HistoryWindow.MaxPoints, p.Copy().Points.Length));
        Assert.True(retained <= 256 * 1024, $"history of 5 targets + 10 probes: {retained} bytes");
    }
}
