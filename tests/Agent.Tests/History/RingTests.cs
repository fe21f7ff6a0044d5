using Agent.History;
using Agent.Probes;

namespace Agent.Tests.History;

public class RingTests
{
    private static TargetPoint Point(int threads) => new(float.NaN, 1, threads, -1, float.NaN, float.NaN);

    [Theory]
    [InlineData(1000, 900, 0)]      // one point a second: exactly the 900-point budget, each its own slot
    [InlineData(5000, 181, 0)]      // a probe every 5 s: 15 min / 5 s, plus the slot being overwritten
    [InlineData(50, 900, 1000)]     // faster than 1 s: downsampled into 1 s buckets
    [InlineData(999, 900, 1000)]
    [InlineData(3_600_000, 2, 0)]
    public void The_window_holds_15_minutes_in_at_most_900_slots(int cadenceMs, int capacity, long bucketMs)
    {
        var w = HistoryWindow.For(TimeSpan.FromMilliseconds(cadenceMs));
        Assert.Equal(capacity, w.Capacity);
        Assert.Equal(bucketMs, w.BucketMs);
    }

    [Fact]
    public void A_full_ring_keeps_the_newest_points_oldest_first()
    {
        var ring = new Ring<TargetPoint>(HistoryWindow.For(TimeSpan.FromMinutes(5)));
        Assert.Equal(4, ring.Capacity);
        for (var i = 0; i < 10; i++)
        {
            // Late ticks (10 ms apart at i = 1, 2) still get a slot each at this cadence.
            ring.Add(1_000_000 + (i * 1000) + (i is 1 ? 990 : 0), Point(i));
        }

        var (times, points) = ring.Copy();
        Assert.Equal([6, 7, 8, 9], points.Select(p => p.Threads));
        Assert.Equal([1_006_000L, 1_007_000, 1_008_000, 1_009_000], times);
    }

    [Fact]
    public void Points_of_one_bucket_merge_into_their_peak()
    {
        var ring = new Ring<TargetPoint>(HistoryWindow.For(TimeSpan.FromMilliseconds(100)));
        var threads = new[] { 3, 9, 4, 2, 5, 5, 1, 8, 2, 3 };
        for (var i = 0; i < 10; i++)
        {
            ring.Add(2_000_000 + (i * 100), new TargetPoint(i / 10f, (uint)(100 + i), threads[i], i == 3 ? 50 : -1, float.NaN, i == 9 ? 0.25f : float.NaN));
        }

        ring.Add(2_001_000, Point(1));
        var (times, points) = ring.Copy();

        Assert.Equal(2, points.Length);
        Assert.Equal(0.9f, points[0].CpuCores);
        Assert.Equal(109u, points[0].RssKiB);
        Assert.Equal(9, points[0].Threads);
        Assert.Equal(50, points[0].OpenFds);
        Assert.True(float.IsNaN(points[0].HeapBytes));
        Assert.Equal(0.25f, points[0].GcPauseRatio);
        Assert.Equal([2_000_900L, 2_001_000], times);
    }

    [Fact]
    public void A_failure_is_never_merged_away()
    {
        var ring = new Ring<ProbePoint>(new HistoryWindow(10, 1000));
        ring.Add(5000, new ProbePoint(1, ProbeState.Ok));
        ring.Add(5300, new ProbePoint(40, ProbeStates.Failed(FailureReason.Refused)));
        ring.Add(5600, new ProbePoint(2, ProbeState.Ok));

        var (_, points) = ring.Copy();
        Assert.Equal(ProbeStates.Failed(FailureReason.Refused), Assert.Single(points).State);
        Assert.Equal(40, points[0].LatencyMs);
    }

    [Fact]
    public void Times_stay_exact_across_the_offset_rebase_after_weeks()
    {
        var ring = new Ring<TargetPoint>(new HistoryWindow(3, 0));
        var start = 1_700_000_000_000L;
        var step = TimeSpan.FromDays(9).Ticks / TimeSpan.TicksPerMillisecond;
        for (var i = 0; i < 8; i++)
        {
            ring.Add(start + (i * step), Point(i));
        }

        var (times, _) = ring.Copy();
        Assert.Equal([start + (5 * step), start + (6 * step), start + (7 * step)], times);
    }
}
