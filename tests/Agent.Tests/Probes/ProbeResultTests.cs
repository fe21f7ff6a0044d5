using Agent.Configuration;
using Agent.Probes;

namespace Agent.Tests.Probes;

/// <summary>The one freshness rule: a result is fresh up to and including 3 × Period + Timeout.</summary>
public class ProbeResultTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);
    private static readonly ProbeDefinition Probe = new("db", ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), true, Host: "h", Port: 1);

    [Fact]
    public void Fresh_until_three_periods_and_a_timeout_have_passed()
    {
        var r = new ProbeResult(Probe, ProbeOutcome.Ok("fine"), TimeSpan.FromMilliseconds(2), At);
        var limit = TimeSpan.FromSeconds(15.5); // 3 × 5 s + 0.5 s, computed here, not read from the code

        Assert.True(r.IsFresh(At));
        Assert.True(r.IsFresh(At + limit));
        Assert.False(r.IsFresh(At + limit + TimeSpan.FromTicks(1)));
        Assert.Equal(limit, r.Age(At + limit));
    }

    [Fact]
    public void Succeeded_needs_both_a_healthy_outcome_and_freshness()
    {
        var ok = new ProbeResult(Probe, ProbeOutcome.Ok("fine"), TimeSpan.Zero, At);
        var bad = new ProbeResult(Probe, ProbeOutcome.Failed(FailureReason.Refused, "refused"), TimeSpan.Zero, At);

        Assert.True(ok.Succeeded(At + TimeSpan.FromSeconds(1)));
        Assert.False(ok.Succeeded(At + TimeSpan.FromSeconds(16)));
        Assert.False(bad.Succeeded(At));
    }
}
