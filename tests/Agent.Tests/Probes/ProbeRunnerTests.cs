using Agent.Configuration;
using Agent.Logging;
using Agent.Probes;
using Agent.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Probes;

/// <summary>
/// The scheduler's deadline against a check that ignores cancellation entirely, the way some
/// client libraries do (Npgsql's own 15 s default in the findings).
/// </summary>
public class ProbeRunnerTests
{
    private sealed class StuckProbe : IProbe
    {
        public TaskCompletionSource<ProbeOutcome> Release { get; } = new();

        public int Calls { get; private set; }

        public ProbeDefinition Definition { get; } = new("stuck", ProbeKind.Tcp, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), true, Host: "h", Port: 1);

        public IReadOnlyCollection<string> Secrets => [];

        public Task<ProbeOutcome> CheckAsync(CancellationToken cancellationToken)
        {
            Calls++;
            return Release.Task; // ignores the token
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_check_ignoring_cancellation_is_cut_at_the_deadline_and_not_started_twice()
    {
        // Fake time: the deadline fires when the test says so, whatever the machine's load.
        var time = new FakeTimeProvider();
        var probe = new StuckProbe();
        var store = new ProbeResultStore();
        using var metrics = new ProbeMetrics(new TestMeterFactory(), store, time, [probe.Definition]);
        var runner = new ProbeRunner(probe, store, metrics, time, new RepeatGate(time), NullLogger.Instance);

        var firstRun = runner.RunOnceAsync(CancellationToken.None);
        await Until(() => probe.Calls == 1);
        time.Advance(probe.Definition.Timeout + TimeSpan.FromMilliseconds(1));
        var first = await firstRun;
        var second = await runner.RunOnceAsync(CancellationToken.None);

        Assert.Equal("timeout", first.Outcome.Reason);
        Assert.Equal(probe.Definition.Timeout + TimeSpan.FromMilliseconds(1), first.Duration);
        Assert.Equal("timeout", second.Outcome.Reason);
        Assert.Contains("still running", second.Outcome.Description, StringComparison.Ordinal);
        Assert.Equal(1, probe.Calls); // the stuck call was not duplicated

        probe.Release.SetResult(ProbeOutcome.Ok("late"));
        await Until(() => !runner.CheckInFlight); // the abandoned check's wrapper completes asynchronously
        var third = await runner.RunOnceAsync(CancellationToken.None);

        Assert.True(third.Outcome.Healthy, $"third: {third.Outcome.Description}");
        Assert.Equal(2, probe.Calls);
        Assert.Same(third, store.Current["stuck"]);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(5);
        }
    }
}
