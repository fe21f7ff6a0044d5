using System.Collections.Immutable;
using Agent.Common;
using Agent.Configuration;
using Agent.Probes;
using Agent.Readiness;
using Agent.Sampling;

namespace Agent.Tests.Readiness;

/// <summary>
/// The /ready body, entry by entry, as the README shows it (HealthChecks UI's UIResponseWriter
/// shape): what a target entry and a probe entry hold, and what totalDuration is.
/// </summary>
public class ReadyBodyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly ProbeDefinition Db = new("db", ProbeKind.Postgres, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), true, ConnectionString: new Secret("Host=h"));
    private static readonly ProbeDefinition Web = new("web", ProbeKind.Http, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), false, Url: new Uri("http://h/"));

    private static SamplingSnapshot Present() => new([new TargetSnapshot(
        "app", true, new TargetSample(new ProcessIdentity(7, 1), "app", 1, 0, 0, 1, null, 1, null, 1, null, null, 0, null, null, null, null, 0, 0),
        0, "name=app", null, Now)], Now);

    private static SamplingSnapshot Absent() => new([new TargetSnapshot("app", true, null, 0, "name=app", "no process named app", Now)], Now);

    private static ImmutableDictionary<string, ProbeResult> Results(params ProbeResult[] r) => r.ToImmutableDictionary(x => x.Probe.Name, x => x);

    [Fact]
    public void A_present_target_entry_names_the_process_and_how_it_was_selected()
    {
        var e = new ReadinessEvaluator([], new ReadinessOptions { RequireTarget = true }).Evaluate(Present(), Results(), true, Now).Body.Entries["target:app"];

        Assert.Equal(HealthState.Healthy, e.Status);
        Assert.Null(e.Reason);
        Assert.Equal(["target"], e.Tags);
        Assert.Equal(new Dictionary<string, string> { ["pid"] = "7", ["name"] = "app" }, e.Data);
        Assert.Equal("process 7 (app) selected by name=app", e.Description);
    }

    [Fact]
    public void An_absent_target_entry_is_unhealthy_absent_and_says_why()
    {
        var r = new ReadinessEvaluator([], new ReadinessOptions { RequireTarget = true }).Evaluate(Absent(), Results(), true, Now);
        var e = r.Body.Entries["target:app"];

        Assert.Equal(503, r.StatusCode);
        Assert.Equal(HealthState.Unhealthy, e.Status);
        Assert.Equal("absent", e.Reason);
        Assert.Empty(e.Data);
        Assert.Equal("no process named app", e.Description);
    }

    [Fact]
    public void A_probe_entry_is_tagged_with_its_kind_and_criticality_and_carries_its_data()
    {
        var data = new Dictionary<string, string> { ["status"] = "204" };
        var r = new ReadinessEvaluator([Db, Web], new ReadinessOptions { RequireTarget = false }).Evaluate(
            Present(),
            Results(
                new ProbeResult(Db, ProbeOutcome.Ok("connected"), TimeSpan.FromMilliseconds(3), Now),
                new ProbeResult(Web, ProbeOutcome.Ok("HTTP 204", data), TimeSpan.FromMilliseconds(7), Now)),
            true,
            Now);

        Assert.Equal(["postgres", "critical"], r.Body.Entries["db"].Tags);
        Assert.Equal(["http", "non-critical"], r.Body.Entries["web"].Tags);
        Assert.Equal(data, r.Body.Entries["web"].Data);
        Assert.Equal("HTTP 204", r.Body.Entries["web"].Description);
        Assert.Equal(HealthState.Healthy, r.Body.Entries["web"].Status);
        Assert.Null(r.Body.Entries["web"].Reason);
        Assert.Equal("00:00:00.0030000", r.Body.Entries["db"].Duration);
    }

    [Fact]
    public void Total_duration_is_the_longest_probes_whatever_their_order()
    {
        TimeSpan[] durations = [TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(7)];
        foreach (var (db, web) in new[] { (durations[0], durations[1]), (durations[1], durations[0]) })
        {
            var r = new ReadinessEvaluator([Db, Web], new ReadinessOptions { RequireTarget = false }).Evaluate(
                Present(),
                Results(new ProbeResult(Db, ProbeOutcome.Ok("a"), db, Now), new ProbeResult(Web, ProbeOutcome.Ok("b"), web, Now)),
                true,
                Now);

            Assert.Equal("00:00:00.0070000", r.Body.TotalDuration);
        }
    }

    [Fact]
    public void A_failing_critical_probe_entry_is_unhealthy_with_its_reason_and_description()
    {
        var e = new ReadinessEvaluator([Db], new ReadinessOptions { RequireTarget = false }).Evaluate(Present(), Results(new ProbeResult(Db, ProbeOutcome.Failed(FailureReason.Auth, "auth: wrong password"), TimeSpan.FromMilliseconds(3), Now)), true, Now).Body.Entries["db"];

        Assert.Equal(HealthState.Unhealthy, e.Status);
        Assert.Equal("auth", e.Reason);
        Assert.Equal("auth: wrong password", e.Description);
    }

    [Fact]
    public void A_stale_result_says_how_old_it_is_and_keeps_what_it_said()
    {
        var at = Now - Web.StaleAfter - TimeSpan.FromSeconds(1);
        var e = new ReadinessEvaluator([Web], new ReadinessOptions { RequireTarget = false }).Evaluate(Present(), Results(new ProbeResult(Web, ProbeOutcome.Ok("HTTP 200"), TimeSpan.FromMilliseconds(3), at)), true, Now).Body.Entries["web"];

        Assert.Equal(HealthState.Degraded, e.Status); // non-critical
        Assert.Equal("stale", e.Reason);
        Assert.StartsWith("stale: last result ", e.Description, StringComparison.Ordinal);
        Assert.EndsWith("; HTTP 200", e.Description, StringComparison.Ordinal);
    }
}
