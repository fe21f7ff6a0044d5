using Agent.Configuration;
using Agent.Runtimes;
using Agent.Triggers;
using static Agent.Tests.Triggers.TriggerFixtures;

namespace Agent.Tests.Triggers;

public class TriggerEvaluatorTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void A_leak_of_2_MiB_per_second_fires_once_when_growth_in_the_window_passes_20_MiB()
    {
        var e = new TriggerEvaluator(Growth(20 * MiB, TimeSpan.FromSeconds(15)), Interval);
        var fired = new List<int>();
        for (var t = 0; t <= 120; t++)
        {
            var d = e.Evaluate(Snapshot(Start.AddSeconds(t), rss: (100 * MiB) + (2 * MiB * t)), null, Start.AddSeconds(t));
            if (d.Fire)
            {
                fired.Add(t);
            }
        }

        // Growth at t is 2 MiB × t until the window is full: 22 MiB > 20 MiB first at t = 11.
        Assert.Equal([11], fired);
        Assert.Equal(TriggerState.CoolingDown, e.Status().State);
        Assert.Equal(30 * MiB, e.Status().Value); // a full window: 15 s × 2 MiB/s
    }

    [Fact]
    public void Slow_growth_never_exceeds_the_threshold_within_one_window_even_if_the_total_does()
    {
        var e = new TriggerEvaluator(Growth(20 * MiB, TimeSpan.FromSeconds(15)), Interval);
        for (var t = 0; t <= 300; t++)
        {
            // 1 MiB/s: 300 MiB in total, at most 15 MiB within any 15 s.
            var d = e.Evaluate(Snapshot(Start.AddSeconds(t), rss: (100 * MiB) + (MiB * t)), null, Start.AddSeconds(t));
            Assert.False(d.Fire, $"fired at {t}");
        }

        Assert.Equal(15 * MiB, e.Status().Value);
        Assert.Equal(TriggerState.Idle, e.Status().State);
    }

    [Fact]
    public void Growth_is_the_latest_value_minus_the_windows_minimum_not_its_first_value()
    {
        var e = new TriggerEvaluator(Growth(20 * MiB, TimeSpan.FromSeconds(10)), Interval);
        long[] rss = [300, 250, 200, 205, 210, 215, 221];
        TriggerDecision d = default;
        for (var t = 0; t < rss.Length; t++)
        {
            d = e.Evaluate(Snapshot(Start.AddSeconds(t), rss: rss[t] * MiB), null, Start.AddSeconds(t));
        }

        Assert.Equal(21 * MiB, d.Value);
        Assert.True(d.Fire);
    }

    [Fact]
    public void A_new_process_starts_a_new_window()
    {
        var e = new TriggerEvaluator(Growth(20 * MiB, TimeSpan.FromSeconds(15)), Interval);
        e.Evaluate(Snapshot(Start, rss: 10 * MiB, pid: 1), null, Start);
        e.Evaluate(Snapshot(Start.AddSeconds(1), rss: 15 * MiB, pid: 1), null, Start.AddSeconds(1));
        e.Evaluate(Absent(Start.AddSeconds(2)), null, Start.AddSeconds(2));
        var d = e.Evaluate(Snapshot(Start.AddSeconds(3), rss: 500 * MiB, pid: 2), null, Start.AddSeconds(3));

        Assert.Equal(0, d.Value);
        Assert.False(d.Fire);
    }

    [Fact]
    public void Above_fires_only_after_the_value_stayed_above_for_the_whole_duration()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.FromSeconds(5)), Interval);
        long[] threads = [150, 150, 150, 90, 150, 150, 150, 150, 150, 150, 150];
        var fired = new List<int>();
        var states = new List<TriggerState>();
        for (var t = 0; t < threads.Length; t++)
        {
            var d = e.Evaluate(Snapshot(Start.AddSeconds(t), threads: threads[t]), null, Start.AddSeconds(t));
            states.Add(d.State);
            if (d.Fire)
            {
                fired.Add(t);
            }
        }

        // Above since t = 4 (the dip at 3 reset it): 5 s later is t = 9.
        Assert.Equal([9], fired);
        Assert.Equal(TriggerState.Idle, states[3]);
        Assert.Equal(TriggerState.ConditionTrue, states[5]);
        Assert.Equal(TriggerState.CoolingDown, states[10]);
    }

    [Fact]
    public void A_counter_is_compared_as_its_rate_per_second()
    {
        var busy = new TriggerEvaluator(Above("target_process_cpu_seconds_total", 0.8, TimeSpan.FromSeconds(3)), Interval);
        var idle = new TriggerEvaluator(Above("target_process_cpu_seconds_total", 0.8, TimeSpan.FromSeconds(3)), Interval);
        var firedAt = -1;
        for (var t = 0; t <= 20; t++)
        {
            // Ticks 2 s apart: a rate, not a per-tick delta (1.8 s of CPU per tick is 0.9/s).
            var at = Start.AddSeconds(2 * t);
            if (busy.Evaluate(Snapshot(at, cpu: 1.8 * t), null, at).Fire && firedAt < 0)
            {
                firedAt = t;
            }

            Assert.False(idle.Evaluate(Snapshot(at, cpu: 1.4 * t), null, at).Fire);
        }

        Assert.Equal(0.9, busy.Status().Value!.Value, 9);
        Assert.Equal(0.7, idle.Status().Value!.Value, 9);
        // Rates from t = 1 (at 2 s) on; above since 2 s, so For = 3 s is met at t = 3 (6 s).
        Assert.Equal(3, firedAt);
    }

    [Fact]
    public void A_counter_that_goes_backwards_yields_no_rate()
    {
        var e = new TriggerEvaluator(Above("target_process_cpu_seconds_total", 0.1, TimeSpan.Zero), Interval);
        e.Evaluate(Snapshot(Start, cpu: 500), null, Start);
        var d = e.Evaluate(Snapshot(Start.AddSeconds(1), cpu: 1), null, Start.AddSeconds(1));

        Assert.Null(d.Value);
        Assert.False(d.Fire);
    }

    [Fact]
    public void A_restart_trigger_fires_once_per_restart_and_max_per_hour_caps_it()
    {
        var uncapped = new TriggerEvaluator(Above(TriggerMetricCatalog.Restarts, 0, TimeSpan.Zero, TimeSpan.Zero, maxPerHour: 10), Interval);
        var capped = new TriggerEvaluator(Above(TriggerMetricCatalog.Restarts, 0, TimeSpan.Zero, TimeSpan.Zero, maxPerHour: 3), Interval);
        var (uncappedFired, cappedFired) = (0, 0);
        var restarts = 0;
        for (var t = 0; t < 60; t++)
        {
            if (t % 10 == 5)
            {
                restarts++;
            }

            var at = Start.AddSeconds(t);
            var snapshot = Snapshot(at, pid: 100 + restarts, restarts: restarts);
            if (uncapped.Evaluate(snapshot, null, at).Fire)
            {
                uncappedFired++;
                uncapped.Completed(true, at);
            }

            if (capped.Evaluate(snapshot, null, at).Fire)
            {
                cappedFired++;
                capped.Completed(true, at);
            }
        }

        Assert.Equal(6, restarts);
        Assert.Equal(6, uncappedFired);
        Assert.Equal(3, cappedFired);
        Assert.Equal(Start.AddSeconds(5).AddHours(1), capped.Status().NextPossible); // the oldest of 3 leaves the hour
    }

    [Fact]
    public void A_failed_firing_keeps_its_cooldown_and_its_place_in_the_hour()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero, TimeSpan.FromMinutes(5), maxPerHour: 2), Interval);
        var fired = new List<double>();
        for (var t = 0; t < 3600; t += 1)
        {
            var at = Start.AddSeconds(t);
            if (e.Evaluate(Snapshot(at, threads: 500), null, at).Fire)
            {
                fired.Add(t);
                e.Completed(false, at.AddSeconds(1)); // failed (or timed out) one second later
            }
        }

        // Failure 1 at 0 → back-off 1 min < cooldown 5 min: next at 300. Failure 2 → back-off 2 min,
        // but MaxPerHour=2 holds it until 3600: no third firing within the hour.
        Assert.Equal([0d, 300d], fired);
        Assert.Equal(2, e.Status().Firings);
        Assert.Equal(2, e.Status().ConsecutiveFailures);
    }

    [Fact]
    public void A_failing_action_backs_off_exponentially_even_without_a_cooldown()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero, TimeSpan.Zero, maxPerHour: 60), Interval);
        var fired = new List<int>();
        for (var t = 0; t < 1000; t++)
        {
            var at = Start.AddSeconds(t);
            if (e.Evaluate(Snapshot(at, threads: 500), null, at).Fire)
            {
                fired.Add(t);
                e.Completed(false, at);
            }
        }

        Assert.Equal([0, 60, 180, 420, 900], fired);
    }

    [Fact]
    public void A_success_clears_the_back_off()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero, TimeSpan.Zero, maxPerHour: 60), Interval);
        e.Evaluate(Snapshot(Start, threads: 500), null, Start);
        e.Completed(false, Start);
        Assert.False(e.Evaluate(Snapshot(Start.AddSeconds(59), threads: 500), null, Start.AddSeconds(59)).Fire);
        Assert.True(e.Evaluate(Snapshot(Start.AddSeconds(60), threads: 500), null, Start.AddSeconds(60)).Fire);
        e.Completed(true, Start.AddSeconds(61));

        Assert.True(e.Evaluate(Snapshot(Start.AddSeconds(62), threads: 500), null, Start.AddSeconds(62)).Fire);
        Assert.Equal(0, e.Status().ConsecutiveFailures);
    }

    [Fact]
    public void Nothing_fires_while_the_last_firings_actions_still_run()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero, TimeSpan.Zero, maxPerHour: 60), Interval);
        Assert.True(e.Evaluate(Snapshot(Start, threads: 500), null, Start).Fire);
        for (var t = 1; t < 30; t++)
        {
            var d = e.Evaluate(Snapshot(Start.AddSeconds(t), threads: 500), null, Start.AddSeconds(t));
            Assert.False(d.Fire);
            Assert.Equal(TriggerState.CoolingDown, d.State);
        }

        e.Completed(true, Start.AddSeconds(30));
        Assert.True(e.Evaluate(Snapshot(Start.AddSeconds(31), threads: 500), null, Start.AddSeconds(31)).Fire);
    }

    [Fact]
    public void The_status_says_when_the_next_firing_is_possible()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero, TimeSpan.FromMinutes(10)), Interval);
        Assert.Null(e.Status().NextPossible);
        e.Evaluate(Snapshot(Start, threads: 500), null, Start);
        e.Completed(true, Start.AddSeconds(2));

        var s = e.Status();
        Assert.Equal(Start, s.LastFired);
        Assert.Equal(Start.AddMinutes(10), s.NextPossible);
        Assert.Equal(1, s.Firings);
        Assert.Equal(500, s.Value);
    }

    [Fact]
    public void The_dotnet_heap_counts_only_while_it_describes_the_current_process()
    {
        var e = new TriggerEvaluator(Above("target_dotnet_gc_heap_size_bytes", 512 * MiB, TimeSpan.Zero), Interval);
        var heap = new DotnetRuntimeSnapshot(42, new Dictionary<string, double>(), 600 * MiB, 0.01, null, null, null, null, null, null);

        var stale = e.Evaluate(Snapshot(Start, pid: 43), heap, Start); // a predecessor's counters
        var detached = e.Evaluate(Snapshot(Start.AddSeconds(1), pid: 42), null, Start.AddSeconds(1));
        var attached = e.Evaluate(Snapshot(Start.AddSeconds(2), pid: 42), heap, Start.AddSeconds(2));

        Assert.Null(stale.Value);
        Assert.Null(detached.Value);
        Assert.Equal(600 * MiB, attached.Value);
        Assert.True(attached.Fire);
    }

    [Fact]
    public void The_gc_pause_ratio_is_compared_as_a_gauge()
    {
        var e = new TriggerEvaluator(Above("target_dotnet_gc_pause_ratio", 0.1, TimeSpan.FromSeconds(2)), Interval);
        var fired = new List<int>();
        for (var t = 0; t < 6; t++)
        {
            var ratio = new DotnetRuntimeSnapshot(42, new Dictionary<string, double>(), 1, t < 2 ? 0.05 : 0.3, null, null, null, null, null, null);
            if (e.Evaluate(Snapshot(Start.AddSeconds(t)), ratio, Start.AddSeconds(t)).Fire)
            {
                fired.Add(t);
            }
        }

        Assert.Equal([4], fired); // above from t = 2, for 2 s
    }

    [Fact]
    public void An_unknown_value_is_no_condition()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero), Interval);
        var d = e.Evaluate(Absent(Start), null, Start);

        Assert.Null(d.Value);
        Assert.Equal(TriggerState.Idle, d.State);
    }
}
