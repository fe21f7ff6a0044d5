using Agent.Logging;
using Agent.Probes;
using Microsoft.Extensions.Logging.Abstractions;

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
        var probe = new StuckProbe();
        var store = new ProbeResultStore();
        using var metrics = new ProbeMetrics(new TestMeterFactory(), store, TimeProvider.System, [probe.Definition]);
        var runner = new ProbeRunner(probe, store, metrics, TimeProvider.System, new RepeatGate(TimeProvider.System), NullLogger.Instance);

        var first = await runner.RunOnceAsync(CancellationToken.None);
        var second = await runner.RunOnceAsync(CancellationToken.None);

        Assert.Equal("timeout", first.Outcome.Reason);
        Assert.True(first.Duration < TimeSpan.FromSeconds(1), $"took {first.Duration}");
        Assert.Equal("timeout", second.Outcome.Reason);
        Assert.Contains("still running", second.Outcome.Description, StringComparison.Ordinal);
        Assert.True(probe.Calls <= 1, "the stuck call was duplicated"); // (0 if the pool had not run it yet)

        probe.Release.SetResult(ProbeOutcome.Ok("late"));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (runner.CheckInFlight && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5); // the abandoned check's wrapper completes asynchronously
        }

        var third = await runner.RunOnceAsync(CancellationToken.None);
        Assert.True(third.Outcome.Healthy, $"third: {third.Outcome.Description}");
        Assert.Equal(2, probe.Calls);
        Assert.Same(third, store.Current["stuck"]);
    }
}
