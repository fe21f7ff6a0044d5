using Agent.Configuration;
using Agent.Logging;
using Agent.Probes;
using Agent.Readiness;
using Agent.Sampling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Probes;

/// <summary>
/// Flap thresholds as the kubelet has them, driven through the runner's own periodic loop on fake
/// time: /ready flips only after FailureThreshold failures in a row, and back only after
/// SuccessThreshold successes in a row, while each raw result is still recorded.
/// </summary>
public class ProbeThresholdTests
{
    private sealed class ScriptedProbe(ProbeDefinition definition, bool[] script) : IProbe
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ProbeDefinition Definition { get; } = definition;

        public IReadOnlyCollection<string> Secrets => [];

        public Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
        {
            var i = Interlocked.Increment(ref _calls) - 1;
            return Task.FromResult(script[i] ? ProbeOutcome.Ok("fine") : ProbeOutcome.Failed(FailureReason.Refused, $"refused: check {i}"));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static ProbeDefinition Definition(int failureThreshold, int successThreshold) =>
        new("db", ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), true, Host: "h", Port: 1, FailureThreshold: failureThreshold, SuccessThreshold: successThreshold);

    /// <summary>Runs the script on the runner's loop and evaluates /ready after each check.</summary>
    private static async Task<List<(int Code, int? ConsecutiveFailures, string? Reason, bool RawHealthy)>> Run(ProbeDefinition definition, bool[] script)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        var probe = new ScriptedProbe(definition, script);
        var store = new ProbeResultStore();
        var abandoned = new AbandonedChecks();
        var runner = new ProbeRunner(probe, store, new ProbeFailures([definition]), abandoned, time, new RepeatGate(time), NullLogger.Instance);
        var evaluator = new ReadinessEvaluator([definition], new ReadinessOptions { RequireTarget = false });
        using var stop = new CancellationTokenSource();
        var loop = runner.RunAsync(stop.Token);

        var seen = new List<(int, int?, string?, bool)>();
        for (var i = 0; i < script.Length; i++)
        {
            if (i > 0)
            {
                time.Advance(definition.Period);
            }

            await Until(() => probe.Calls == i + 1 && store.Current.ContainsKey("db") && Published(store, i, script));
            var report = evaluator.Evaluate(SamplingSnapshot.Empty(time.GetUtcNow()), store.Current, true, time.GetUtcNow());
            var entry = report.Body.Entries["db"];
            seen.Add((report.StatusCode, entry.ConsecutiveFailures, entry.Reason, store.Current["db"].Outcome.Healthy));
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        return seen;
    }

    /// <summary>The i-th check's result is in the store (each failure names its check; a success follows a count).</summary>
    private static bool Published(ProbeResultStore store, int i, bool[] script)
    {
        var r = store.Current["db"];
        return script[i] ? r.Outcome.Healthy && r.Streak.ConsecutiveSuccesses == script.Take(i + 1).Reverse().TakeWhile(x => x).Count()
                         : r.Outcome.Description == $"refused: check {i}";
    }

    [Fact]
    public async Task With_failure_threshold_3_one_or_two_failures_do_not_flip_ready_and_three_do()
    {
        bool[] script = [true, false, true, false, false, false, true, true, false];

        var seen = await Run(Definition(failureThreshold: 3, successThreshold: 2), script);

        // Worked out by hand from the kubelet's rule, check by check.
        Assert.Equal([200, 200, 200, 200, 200, 503, 503, 200, 200], seen.Select(s => s.Code));
        Assert.Equal([0, 1, 0, 1, 2, 3, 0, 0, 1], seen.Select(s => s.ConsecutiveFailures ?? -1));
        Assert.Equal([null, null, null, null, null, "refused", "refused", null, null], seen.Select(s => s.Reason));
        Assert.Equal(script, seen.Select(s => s.RawHealthy)); // every raw result is kept as it was
    }

    [Fact]
    public async Task Default_thresholds_flip_on_every_result()
    {
        bool[] script = [true, false, true, false, false, true];

        var seen = await Run(Definition(failureThreshold: 1, successThreshold: 1), script);

        Assert.Equal([200, 503, 200, 503, 503, 200], seen.Select(s => s.Code));
        Assert.Equal([0, 1, 0, 1, 2, 0], seen.Select(s => s.ConsecutiveFailures ?? -1));
    }

    [Fact]
    public async Task The_first_result_sets_the_verdict_without_waiting_for_a_threshold()
    {
        var failingFirst = await Run(Definition(failureThreshold: 3, successThreshold: 1), [false, true]);
        var passingFirst = await Run(Definition(failureThreshold: 1, successThreshold: 3), [true]);

        Assert.Equal([503, 200], failingFirst.Select(s => s.Code));
        Assert.Equal([200], passingFirst.Select(s => s.Code));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(2);
        }
    }
}
