using System.Collections.Immutable;
using Agent.Common;
using Agent.Configuration;
using Agent.Probes;
using Agent.Readiness;
using Agent.Sampling;

namespace Agent.Tests.Readiness;

public class ReadinessEvaluatorTests
{
    private static readonly ReadinessOptions Required = new() { RequireTarget = true };
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly ProbeDefinition Db = new("db", ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), true, Host: "h", Port: 1);
    private static readonly ProbeDefinition Cache = new("cache", ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), false, Host: "h", Port: 2);

    private static TargetSample Sample(int pid) => new(new ProcessIdentity(pid, 1), "app", 1, 0, 0, 1, null, 1, null, 1, null, null, 0, null, null, null, null, 0, 0);

    private static SamplingSnapshot Present() => new([new TargetSnapshot("app", true, Sample(7), 0, "name=app", null, Now)], Now);

    private static ImmutableDictionary<string, ProbeResult> Results(params ProbeResult[] r) =>
        r.ToImmutableDictionary(x => x.Probe.Name, x => x);

    private static ProbeResult Ok(ProbeDefinition p, DateTimeOffset at) => new(p, ProbeOutcome.Ok("fine"), TimeSpan.FromMilliseconds(3), at);

    private static ProbeResult Bad(ProbeDefinition p, DateTimeOffset at) => new(p, ProbeOutcome.Failed(FailureReason.Refused, "refused: no"), TimeSpan.FromMilliseconds(3), at);

    [Fact]
    public void All_healthy_is_200()
    {
        var r = new ReadinessEvaluator([Db, Cache], Required).Evaluate(Present(), Results(Ok(Db, Now), Ok(Cache, Now)), true, Now);

        Assert.Equal(200, r.StatusCode);
        Assert.Equal(HealthState.Healthy, r.Body.Status);
        Assert.Equal(["cache", "db", "target:app"], r.Body.Entries.Keys.Order());
    }

    [Fact]
    public void A_failing_non_critical_probe_is_degraded_but_200()
    {
        var r = new ReadinessEvaluator([Db, Cache], Required).Evaluate(Present(), Results(Ok(Db, Now), Bad(Cache, Now)), true, Now);

        Assert.Equal(200, r.StatusCode);
        Assert.Equal(HealthState.Degraded, r.Body.Status);
        Assert.Equal(HealthState.Degraded, r.Body.Entries["cache"].Status);
        Assert.Equal("refused", r.Body.Entries["cache"].Reason);
    }

    [Fact]
    public void A_failing_critical_probe_is_503()
    {
        var r = new ReadinessEvaluator([Db], Required).Evaluate(Present(), Results(Bad(Db, Now)), true, Now);

        Assert.Equal(503, r.StatusCode);
        Assert.Equal(HealthState.Unhealthy, r.Body.Status);
    }

    [Fact]
    public void A_result_older_than_three_periods_plus_timeout_is_stale_and_fails()
    {
        var old = Now - Db.StaleAfter - TimeSpan.FromMilliseconds(1);
        var justInTime = Now - Db.StaleAfter;

        var stale = new ReadinessEvaluator([Db], Required).Evaluate(Present(), Results(Ok(Db, old)), true, Now);
        var fresh = new ReadinessEvaluator([Db], Required).Evaluate(Present(), Results(Ok(Db, justInTime)), true, Now);

        Assert.Equal(503, stale.StatusCode);
        Assert.Equal("stale", stale.Body.Entries["db"].Reason);
        Assert.Equal(200, fresh.StatusCode);
    }

    [Fact]
    public void Starting_until_every_probe_answered_and_the_target_was_sampled()
    {
        var noProbe = new ReadinessEvaluator([Db], Required).Evaluate(Present(), Results(), true, Now);
        var noTick = new ReadinessEvaluator([Db], Required).Evaluate(Present(), Results(Ok(Db, Now)), false, Now);

        Assert.Equal((503, HealthState.Starting), (noProbe.StatusCode, noProbe.Body.Status));
        Assert.Equal((503, HealthState.Starting), (noTick.StatusCode, noTick.Body.Status));
    }

    [Fact]
    public void Absent_target_fails_unless_not_required()
    {
        var absent = new SamplingSnapshot([new TargetSnapshot("app", true, null, 0, "name=app", "no process matches name=app", Now)], Now);

        var required = new ReadinessEvaluator([], Required).Evaluate(absent, Results(), true, Now);
        var optional = new ReadinessEvaluator([], new ReadinessOptions { RequireTarget = false }).Evaluate(absent, Results(), true, Now);

        Assert.Equal(503, required.StatusCode);
        Assert.Equal("absent", required.Body.Entries["target:app"].Reason);
        Assert.Equal(200, optional.StatusCode);
        Assert.False(optional.Body.Entries.ContainsKey("target:app"));
    }
    [Fact]
    public void Every_required_target_must_be_present_and_an_absent_optional_one_degrades()
    {
        var proxyGone = new SamplingSnapshot(
            [new TargetSnapshot("app", true, Sample(2), 0, "auto", null, Now), new TargetSnapshot("envoy", false, null, 0, "auto", "gone", Now)], Now);
        var appGone = new SamplingSnapshot(
            [new TargetSnapshot("app", true, null, 1, "auto", "gone", Now), new TargetSnapshot("envoy", false, Sample(3), 0, "auto", null, Now)], Now);

        var degraded = new ReadinessEvaluator([], new ReadinessOptions()).Evaluate(proxyGone, Results(), true, Now);
        var failed = new ReadinessEvaluator([], new ReadinessOptions()).Evaluate(appGone, Results(), true, Now);

        Assert.Equal(200, degraded.StatusCode);
        Assert.Equal(["optional", "target"], degraded.Body.Entries["target:envoy"].Tags.Order());
        Assert.Equal(503, failed.StatusCode);
        Assert.Equal("absent", failed.Body.Entries["target:app"].Reason);
        Assert.Null(failed.Body.Entries["target:envoy"].Reason);
    }

}
