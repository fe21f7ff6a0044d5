using Agent.Triggers;
using static Agent.Tests.Triggers.TriggerFixtures;

namespace Agent.Tests.Triggers;

/// <summary>The evaluator at its edges: the threshold itself, the exact end of For, a counter across a stalled or stepped clock, and the states between firings.</summary>
public class TriggerEvaluatorEdgeTests
{
    [Fact]
    public void A_value_equal_to_the_threshold_is_not_above_it()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero), Interval);

        var at = e.Evaluate(Snapshot(Start, threads: 100), null, Start);
        var over = e.Evaluate(Snapshot(Start.AddSeconds(1), threads: 101), null, Start.AddSeconds(1));

        Assert.Equal((TriggerState.Idle, 100.0, false), (at.State, at.Value!.Value, at.Fire));
        Assert.True(over.Fire);
        Assert.Equal(TriggerState.ConditionTrue, over.State);
    }

    [Fact]
    public void For_is_met_at_its_exact_end_not_a_tick_before()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.FromSeconds(5)), Interval);
        e.Evaluate(Snapshot(Start, threads: 200), null, Start);

        Assert.False(e.Evaluate(Snapshot(Start, threads: 200), null, Start.AddSeconds(5).AddTicks(-1)).Fire);
        Assert.True(e.Evaluate(Snapshot(Start, threads: 200), null, Start.AddSeconds(5)).Fire);
    }

    [Fact]
    public void A_counter_sampled_twice_at_the_same_instant_or_back_in_time_gives_no_rate()
    {
        var e = new TriggerEvaluator(Above("target_process_cpu_seconds_total", 0.1, TimeSpan.Zero), Interval);
        Assert.Null(e.Evaluate(Snapshot(Start, cpu: 1), null, Start).Value); // one sample: no rate yet
        Assert.Null(e.Evaluate(Snapshot(Start, cpu: 2), null, Start).Value); // no time passed
        Assert.Null(e.Evaluate(Snapshot(Start, cpu: 3), null, Start.AddSeconds(-1)).Value); // clock stepped back
        var d = e.Evaluate(Snapshot(Start, cpu: 3.5), null, Start.AddSeconds(1)); // 0.5 s of CPU in 2 s

        Assert.Equal(0.25, d.Value!.Value, 9);
        Assert.True(d.Fire);
    }

    [Fact]
    public void An_equal_counter_value_is_a_rate_of_zero_not_a_reset()
    {
        var e = new TriggerEvaluator(Above("target_process_cpu_seconds_total", 0.1, TimeSpan.Zero), Interval);
        e.Evaluate(Snapshot(Start, cpu: 7), null, Start);

        Assert.Equal(0, e.Evaluate(Snapshot(Start, cpu: 7), null, Start.AddSeconds(1)).Value);
    }

    [Fact]
    public void Cooling_down_while_the_condition_is_false_then_idle_once_it_may_fire_again()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero, TimeSpan.FromMinutes(1)), Interval);
        Assert.True(e.Evaluate(Snapshot(Start, threads: 500), null, Start).Fire);
        e.Completed(true, Start.AddSeconds(1));

        Assert.Equal(TriggerState.CoolingDown, e.Evaluate(Snapshot(Start, threads: 5), null, Start.AddSeconds(30)).State);
        Assert.Equal(TriggerState.CoolingDown, e.Evaluate(Snapshot(Start, threads: 500), null, Start.AddSeconds(59)).State);
        Assert.Equal(TriggerState.Idle, e.Evaluate(Snapshot(Start, threads: 5), null, Start.AddMinutes(1)).State);
        var again = e.Evaluate(Snapshot(Start, threads: 500), null, Start.AddMinutes(1).AddSeconds(1));
        Assert.True(again.Fire);
        Assert.Equal(2, e.Status().Firings);
        Assert.Equal(TriggerState.ConditionTrue, e.State);
    }

    [Fact]
    public void A_completion_after_the_cooldown_shows_idle_at_once_and_one_inside_it_keeps_cooling_down()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero, TimeSpan.FromSeconds(10)), Interval);
        e.Evaluate(Snapshot(Start, threads: 500), null, Start);
        Assert.Equal(TriggerState.CoolingDown, e.Evaluate(Snapshot(Start, threads: 5), null, Start.AddSeconds(1)).State);
        Assert.True(e.Status().InFlight);

        e.Completed(true, Start.AddSeconds(5));
        Assert.Equal(TriggerState.CoolingDown, e.State); // 5 s of 10 s cooldown left

        var f = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.Zero, TimeSpan.FromSeconds(10)), Interval);
        f.Evaluate(Snapshot(Start, threads: 500), null, Start);
        f.Evaluate(Snapshot(Start, threads: 5), null, Start.AddSeconds(1));
        f.Completed(true, Start.AddSeconds(20)); // a slow capture: the cooldown is over when it ends
        Assert.Equal(TriggerState.Idle, f.State);
        Assert.False(f.Status().InFlight);
    }

    [Fact]
    public void A_condition_not_yet_held_long_enough_is_condition_true_without_firing()
    {
        var e = new TriggerEvaluator(Above("target_process_threads", 100, TimeSpan.FromMinutes(1)), Interval);

        var d = e.Evaluate(Snapshot(Start, threads: 500), null, Start);

        Assert.Equal((TriggerState.ConditionTrue, false), (d.State, d.Fire));
        Assert.Null(e.Status().LastFired);
        Assert.Null(e.Status().NextPossible);
        Assert.Equal(0, e.Status().Firings);
    }

    [Fact]
    public void Growth_needs_no_duration_and_forgets_its_window_when_the_value_disappears()
    {
        var e = new TriggerEvaluator(Growth(10, TimeSpan.FromSeconds(10), "target_process_threads"), Interval);
        e.Evaluate(Snapshot(Start, threads: 10), null, Start);
        Assert.Null(e.Evaluate(Absent(Start.AddSeconds(1)), null, Start.AddSeconds(1)).Value);
        // After the gap the window starts again at 30: growth 0, then 11 above that.
        Assert.Equal(0, e.Evaluate(Snapshot(Start.AddSeconds(2), threads: 30), null, Start.AddSeconds(2)).Value);
        var d = e.Evaluate(Snapshot(Start.AddSeconds(3), threads: 41), null, Start.AddSeconds(3));

        Assert.Equal(11, d.Value);
        Assert.True(d.Fire);
    }
}
