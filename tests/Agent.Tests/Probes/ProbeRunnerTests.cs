using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Logging;
using Agent.Probes;
using Agent.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Probes;

/// <summary>
/// The runner's deadline on fake time: the deadline fires when the test says so, whatever the
/// machine's load, so the order of the timers is the test's choice, not the scheduler's. Against a
/// check that honours cancellation (the clients of the five probes) and one that ignores it
/// entirely (Npgsql's own 15 s default in the findings).
/// </summary>
public class ProbeRunnerTests
{
    /// <summary>Each call runs the next step; a step sees the call's token.</summary>
    private sealed class ScriptedProbe(TimeSpan timeout, params Func<CancellationToken, Task<ProbeOutcome>>[] steps) : IProbe
    {
        private int _calls;

        public List<CancellationToken> Tokens { get; } = [];

        public int Calls => Volatile.Read(ref _calls);

        public ProbeDefinition Definition { get; } = new("held", ProbeKind.Tcp, timeout, TimeSpan.FromSeconds(30), true, Host: "h", Port: 1);

        public IReadOnlyCollection<string> Secrets => [];

        public Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
        {
            lock (Tokens)
            {
                Tokens.Add(cancellationToken);
            }

            var i = Interlocked.Increment(ref _calls) - 1;
            return steps[Math.Min(i, steps.Length - 1)](cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A connection the dependency holds forever; the client gives it up when told to.</summary>
    private static async Task<ProbeOutcome> HeldButCancellable(CancellationToken token)
    {
        await Task.Delay(Timeout.Infinite, token);
        return ProbeOutcome.Ok("never");
    }

    private static Task<ProbeOutcome> Answers(CancellationToken token) => Task.FromResult(ProbeOutcome.Ok("answered"));

    private sealed record Rig(FakeTimeProvider Time, ProbeRunner Runner, ProbeResultStore Store, AbandonedChecks Abandoned, ProbeMetrics Metrics) : IDisposable
    {
        public void Dispose() => Metrics.Dispose();
    }

    private static Rig Start(IProbe probe)
    {
        var time = new FakeTimeProvider();
        var store = new ProbeResultStore();
        var abandoned = new AbandonedChecks();
        var failures = new ProbeFailures([probe.Definition]);
        var metrics = new ProbeMetrics(new TestMeterFactory(), store, time, [probe.Definition], abandoned, failures);
        return new Rig(time, new ProbeRunner(probe, store, failures, abandoned, time, new RepeatGate(time), NullLogger.Instance), store, abandoned, metrics);
    }

    /// <summary>Runs one round whose check hangs until the fake deadline, which the test then passes.</summary>
    private static async Task<ProbeResult> RoundPastTheDeadline(Rig rig, ScriptedProbe probe)
    {
        var calls = probe.Calls;
        var round = rig.Runner.RunOnceAsync(CancellationToken.None);
        await Until(() => probe.Calls == calls + 1, "the check started");
        rig.Time.Advance(probe.Definition.Timeout);
        return await round;
    }

    [Fact]
    public async Task The_deadline_cancels_the_check_it_abandons_whichever_timer_fires_first()
    {
        // A real-time Timeout of 10 minutes that only the fake clock passes: a second timer on the
        // system clock (the old CancelAfter) cannot fire during the test, so only a deadline that
        // cancels through the same timer that ends the wait passes.
        var held = new TaskCompletionSource<ProbeOutcome>();
        var probe = new ScriptedProbe(TimeSpan.FromMinutes(10), _ => held.Task);
        using var rig = Start(probe);

        var result = await RoundPastTheDeadline(rig, probe);

        Assert.Equal("timeout", result.Outcome.Reason?.Label());
        Assert.Equal(probe.Definition.Timeout, result.Duration);
        Assert.True(probe.Tokens[0].IsCancellationRequested, "the abandoned check's token was cancelled at the deadline");
        held.SetResult(ProbeOutcome.Ok("late"));
    }

    [Fact]
    public async Task A_connection_held_forever_costs_one_timeout_and_the_next_round_is_healthy()
    {
        var probe = new ScriptedProbe(TimeSpan.FromMinutes(10), HeldButCancellable, Answers);
        using var rig = Start(probe);

        var first = await RoundPastTheDeadline(rig, probe);
        await Until(() => !rig.Runner.CheckInFlight, "the cancelled check ended");
        var second = await rig.Runner.RunOnceAsync(CancellationToken.None);

        Assert.Equal("timeout", first.Outcome.Reason?.Label());
        Assert.True(second.Outcome.Healthy, $"second: {second.Outcome.Description}");
        Assert.Equal(2, probe.Calls);
        Assert.Equal(0, rig.Abandoned.Of("held")); // it honoured the token: nothing abandoned
    }

    [Fact]
    public async Task Checks_that_ignore_cancellation_are_bounded_counted_and_released()
    {
        var held = new TaskCompletionSource<ProbeOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new ScriptedProbe(TimeSpan.FromSeconds(1), _ => held.Task);
        using var rig = Start(probe);

        var seen = new List<(string? Reason, int Abandoned, long Exported)>();
        for (var i = 0; i < ProbeRunner.MaxAbandoned; i++)
        {
            var r = await RoundPastTheDeadline(rig, probe);
            seen.Add((r.Outcome.Reason?.Label(), rig.Abandoned.Of("held"), Exported(rig.Metrics)));
        }

        var refused = await rig.Runner.RunOnceAsync(CancellationToken.None);

        Assert.Equal([("timeout", 1, 1L), ("timeout", 2, 2L)], seen);
        Assert.Equal("timeout", refused.Outcome.Reason?.Label());
        Assert.Contains("still running", refused.Outcome.Description, StringComparison.Ordinal);
        Assert.Equal(ProbeRunner.MaxAbandoned, probe.Calls); // no third stuck call
        Assert.All(probe.Tokens, t => Assert.True(t.IsCancellationRequested));

        held.SetResult(ProbeOutcome.Ok("late"));
        await Until(() => rig.Abandoned.Of("held") == 0, "the abandoned checks ended");
        // The held task is complete: the round answers at once, with no clock to pass. (Passing the
        // fake deadline here raced the answer: the probe counts its call before Task.Run's task
        // completes, and a deadline fired in between made the round a timeout, under load.)
        var after = await rig.Runner.RunOnceAsync(CancellationToken.None);

        Assert.True(after.Outcome.Healthy, $"after: {after.Outcome.Description}");
        Assert.Equal(0, Exported(rig.Metrics));
    }

    [Fact]
    public async Task Stopping_cancels_the_running_check()
    {
        var probe = new ScriptedProbe(TimeSpan.FromMinutes(10), HeldButCancellable);
        using var rig = Start(probe);
        using var stop = new CancellationTokenSource();

        var round = rig.Runner.RunOnceAsync(stop.Token);
        await Until(() => probe.Calls == 1, "the check started");
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => round);
        Assert.True(probe.Tokens[0].IsCancellationRequested);
    }

    /// <summary>agent_probe_abandoned_checks as a collection reads it.</summary>
    private static long Exported(ProbeMetrics metrics)
    {
        long value = -1;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ProbeMetrics.MeterName && instrument.Name == "agent.probe.abandoned_checks")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // Other test classes' meters of the same name run beside this one: only this probe's series.
        listener.SetMeasurementEventCallback<int>((_, v, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "probe", Value: "held" })
                {
                    value = v;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        GC.KeepAlive(metrics);
        return value;
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what + ": not reached within 10 s");
            await Task.Delay(5);
        }
    }
}
