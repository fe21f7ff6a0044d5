using System.Collections.Immutable;
using Agent.Common;
using Agent.Configuration;
using Agent.Probes;
using Agent.Readiness;
using Agent.Sampling;

namespace Agent.Tests.Readiness;

/// <summary>
/// The README's /ready rules that the body tests do not state: ageSeconds of each entry, the
/// entry of a probe that has not answered, the debounced verdict in words (a tolerated failure,
/// a recovery still short of SuccessThreshold), and a present optional target.
/// </summary>
public class ReadyEntryRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly ProbeDefinition Db = new(
        "db", ProbeKind.Postgres, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), true,
        ConnectionString: new Secret("Host=h"), FailureThreshold: 3, SuccessThreshold: 2);

    private static TargetSample Sample(int pid, string name) =>
        new(new ProcessIdentity(pid, 1), name, 1, 0, 0, 1, null, 1, null, 1, null, null, 0, null, null, null, null, 0, 0);

    private static SamplingSnapshot Targets(params TargetSnapshot[] t) => new(t, Now);

    private static ImmutableDictionary<string, ProbeResult> Results(params ProbeResult[] r) => r.ToImmutableDictionary(x => x.Probe.Name, x => x);

    private static ProbeOutcome Fail(string description) => ProbeOutcome.Failed(FailureReason.Refused, description);

    /// <summary>The streak after these outcomes, as the runner builds it (ProbeStreak is its own rule).</summary>
    private static ProbeResult After(ProbeDefinition p, params ProbeOutcome[] outcomes)
    {
        var streak = ProbeStreak.Start(outcomes[0]);
        foreach (var o in outcomes.Skip(1))
        {
            streak = streak.Next(o, p.FailureThreshold, p.SuccessThreshold);
        }

        return new ProbeResult(p, outcomes[^1], TimeSpan.FromMilliseconds(4), Now) { Streak = streak };
    }

    [Fact]
    public void Each_entry_tells_the_age_of_what_it_shows_in_seconds()
    {
        var targetAge = TimeSpan.FromMilliseconds(1234.4);
        var probeAge = TimeSpan.FromMilliseconds(2345.6);
        var r = new ReadinessEvaluator([Db], new ReadinessOptions { RequireTarget = true }).Evaluate(
            Targets(new TargetSnapshot("app", true, Sample(7, "app"), 0, "name=app", null, Now - targetAge)),
            Results(new ProbeResult(Db, ProbeOutcome.Ok("connected"), TimeSpan.FromMilliseconds(4), Now - probeAge)),
            true,
            Now);

        // Milliseconds resolution, as the README's example ("ageSeconds":0.41).
        Assert.Equal(1.234, r.Body.Entries["target:app"].AgeSeconds);
        Assert.Equal(2.346, r.Body.Entries["db"].AgeSeconds);
    }

    [Fact]
    public void A_probe_that_has_not_answered_is_listed_unhealthy_with_no_age()
    {
        var r = new ReadinessEvaluator([Db], new ReadinessOptions { RequireTarget = false }).Evaluate(Targets(), Results(), true, Now);
        var e = r.Body.Entries["db"];

        Assert.Equal((503, HealthState.Starting), (r.StatusCode, r.Body.Status));
        Assert.Equal(HealthState.Unhealthy, e.Status);
        Assert.Equal("no result yet", e.Description);
        Assert.Equal(["postgres", "critical"], e.Tags);
        Assert.Null(e.AgeSeconds);
        Assert.Null(e.Reason);
        Assert.Equal("00:00:00", e.Duration);
    }

    [Fact]
    public void A_tolerated_failure_stays_healthy_and_says_how_many_of_the_allowed_failures_it_is()
    {
        var r = new ReadinessEvaluator([Db], new ReadinessOptions { RequireTarget = false }).Evaluate(
            Targets(), Results(After(Db, ProbeOutcome.Ok("connected"), Fail("refused: one"), Fail("refused: two"))), true, Now);
        var e = r.Body.Entries["db"];

        Assert.Equal((200, HealthState.Healthy), (r.StatusCode, e.Status));
        Assert.Null(e.Reason);
        Assert.Equal(2, e.ConsecutiveFailures);
        Assert.Equal("tolerated: failure 2 of 3 allowed; refused: two", e.Description);
    }

    [Fact]
    public void The_third_failure_fails_with_its_own_reason_and_text()
    {
        var e = new ReadinessEvaluator([Db], new ReadinessOptions { RequireTarget = false }).Evaluate(
            Targets(), Results(After(Db, ProbeOutcome.Ok("connected"), Fail("refused: one"), Fail("refused: two"), ProbeOutcome.Failed(FailureReason.Auth, "auth: three"))), true, Now)
            .Body.Entries["db"];

        Assert.Equal(HealthState.Unhealthy, e.Status);
        Assert.Equal("auth", e.Reason);
        Assert.Equal(3, e.ConsecutiveFailures);
        Assert.Equal("auth: three", e.Description);
    }

    [Fact]
    public void A_recovery_short_of_the_success_threshold_still_fails_with_the_failure_that_holds_it()
    {
        var r = new ReadinessEvaluator([Db], new ReadinessOptions { RequireTarget = false }).Evaluate(
            Targets(), Results(After(Db, ProbeOutcome.Failed(FailureReason.Timeout, "timeout: after 500 ms"), ProbeOutcome.Ok("connected"))), true, Now);
        var e = r.Body.Entries["db"];

        Assert.Equal((503, HealthState.Unhealthy), (r.StatusCode, e.Status));
        Assert.Equal("timeout", e.Reason); // the failure that holds the verdict, not the latest (healthy) result
        Assert.Equal(0, e.ConsecutiveFailures);
        Assert.Equal("recovering: success 1 of 2 needed; last failure timeout: after 500 ms", e.Description);
    }

    [Fact]
    public void A_stale_result_names_its_age_and_the_limit()
    {
        // StaleAfter = 3 × Period + Timeout = 15.5 s; the result is 17.34 s old.
        var at = Now - TimeSpan.FromSeconds(17.34);
        var e = new ReadinessEvaluator([Db], new ReadinessOptions { RequireTarget = false }).Evaluate(
            Targets(), Results(new ProbeResult(Db, ProbeOutcome.Ok("connected"), TimeSpan.FromMilliseconds(4), at)), true, Now).Body.Entries["db"];

        Assert.Equal("stale: last result 17.3s old (limit 15.5s); connected", e.Description);
    }

    [Fact]
    public void A_present_optional_target_is_healthy_and_does_not_degrade()
    {
        var r = new ReadinessEvaluator([], new ReadinessOptions()).Evaluate(
            Targets(
                new TargetSnapshot("app", true, Sample(7, "app"), 0, "auto", null, Now),
                new TargetSnapshot("envoy", false, Sample(9, "envoy"), 0, "auto", null, Now)),
            Results(),
            true,
            Now);

        Assert.Equal((200, HealthState.Healthy), (r.StatusCode, r.Body.Status));
        Assert.Equal(HealthState.Healthy, r.Body.Entries["target:envoy"].Status);
        Assert.Null(r.Body.Entries["target:envoy"].Reason);
        Assert.Equal(new Dictionary<string, string> { ["pid"] = "9", ["name"] = "envoy" }, r.Body.Entries["target:envoy"].Data);
    }

    [Theory]
    [InlineData(true, true, 503, "Unhealthy")]   // any absent required target fails, however many
    [InlineData(false, true, 200, "Degraded")]   // any absent optional target degrades, however many
    [InlineData(true, false, 503, "Unhealthy")]
    [InlineData(false, false, 200, "Degraded")]
    public void Absent_targets_count_whatever_how_many(bool required, bool two, int code, string status)
    {
        TargetSnapshot Gone(string name) => new(name, required, null, 0, "auto", "gone", Now);
        var targets = two ? Targets(new TargetSnapshot("app", true, Sample(7, "app"), 0, "auto", null, Now), Gone("a"), Gone("b"))
                          : Targets(new TargetSnapshot("app", true, Sample(7, "app"), 0, "auto", null, Now), Gone("a"));

        var r = new ReadinessEvaluator([], new ReadinessOptions()).Evaluate(targets, Results(), true, Now);

        Assert.Equal((code, Enum.Parse<HealthState>(status)), (r.StatusCode, r.Body.Status));
        Assert.Equal(required ? HealthState.Unhealthy : HealthState.Degraded, r.Body.Entries["target:a"].Status);
    }

    [Theory]
    [InlineData(true, 503, "Unhealthy")]
    [InlineData(false, 200, "Degraded")]
    public void Two_failing_probes_count_as_much_as_one(bool critical, int code, string status)
    {
        ProbeDefinition P(string name) => new(name, ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), critical, Host: "h", Port: 1);
        var (a, b) = (P("a"), P("b"));

        var r = new ReadinessEvaluator([a, b], new ReadinessOptions { RequireTarget = false }).Evaluate(
            Targets(), Results(new ProbeResult(a, Fail("refused: a"), TimeSpan.Zero, Now), new ProbeResult(b, Fail("refused: b"), TimeSpan.Zero, Now)), true, Now);

        Assert.Equal((code, Enum.Parse<HealthState>(status)), (r.StatusCode, r.Body.Status));
    }

    [Fact]
    public void Total_duration_without_any_probe_is_zero()
    {
        var r = new ReadinessEvaluator([], new ReadinessOptions { RequireTarget = false }).Evaluate(Targets(), Results(), true, Now);

        Assert.Equal("00:00:00", r.Body.TotalDuration);
        Assert.Equal((200, HealthState.Healthy), (r.StatusCode, r.Body.Status));
    }
}
