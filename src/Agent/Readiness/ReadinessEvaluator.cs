using System.Collections.Immutable;
using System.Globalization;
using Agent.Common;
using Agent.Configuration;
using Agent.Probes;
using Agent.Sampling;

namespace Agent.Readiness;

/// <summary>
/// Decides /ready from cached state only: the targets' snapshot and the probes' latest results.
/// 200 iff every required target is present (unless <c>Readiness:RequireTarget=false</c>) and
/// every critical probe passes (its <see cref="ProbeStreak"/> verdict, debounced by its thresholds)
/// with a fresh result. A failing non-critical probe or an absent optional target (a mesh proxy)
/// gives <c>Degraded</c> with 200. Each target is an entry <c>target:&lt;name&gt;</c>. Before every
/// probe has answered once: 503 <c>starting</c>.
/// </summary>
internal sealed class ReadinessEvaluator(IReadOnlyList<ProbeDefinition> probes, ReadinessOptions options)
{
    private readonly bool _requireTarget = options.RequireTarget;

    public ReadinessReport Evaluate(SamplingSnapshot targets, ImmutableDictionary<string, ProbeResult> results, bool targetSampled, DateTimeOffset now)
    {
        var entries = new SortedDictionary<string, ReadyEntry>(StringComparer.Ordinal);
        var unhealthy = false;
        var degraded = false;
        var starting = !targetSampled;
        var longest = TimeSpan.Zero;

        if (_requireTarget)
        {
            foreach (var target in targets.Targets)
            {
                var present = target.Sample is not null;
                unhealthy |= !present && target.Required;
                degraded |= !present && !target.Required;
                entries["target:" + target.Name] = new ReadyEntry(
                    target.Sample is { } s ? new Dictionary<string, string> { ["pid"] = s.Identity.Pid.ToString(CultureInfo.InvariantCulture), ["name"] = s.Name } : new Dictionary<string, string>(),
                    present ? $"process {target.Sample!.Identity.Pid} ({target.Sample.Name}) selected by {target.Selector}" : target.Problem,
                    Format(TimeSpan.Zero),
                    present ? HealthState.Healthy : target.Required ? HealthState.Unhealthy : HealthState.Degraded,
                    target.Required ? ["target"] : ["target", "optional"],
                    Math.Round((now - target.TakenAt).TotalSeconds, 3),
                    present ? null : "absent");
            }
        }

        foreach (var probe in probes)
        {
            var tags = new[] { probe.KindLabel, probe.Critical ? "critical" : "non-critical" };
            if (!results.TryGetValue(probe.Name, out var r))
            {
                starting = true;
                entries[probe.Name] = new ReadyEntry(new Dictionary<string, string>(), "no result yet", Format(TimeSpan.Zero), HealthState.Unhealthy, tags, null, null);
                continue;
            }

            var age = r.Age(now);
            var stale = !r.IsFresh(now);
            var streak = r.Streak;
            var ok = streak.Passing && !stale;
            if (!ok)
            {
                unhealthy |= probe.Critical;
                degraded |= !probe.Critical;
            }

            longest = r.Duration > longest ? r.Duration : longest;
            entries[probe.Name] = new ReadyEntry(
                r.Outcome.Data ?? new Dictionary<string, string>(),
                stale ? $"stale: last result {age.TotalSeconds:F1}s old (limit {probe.StaleAfter.TotalSeconds:F1}s); {r.Outcome.Description}" : Describe(probe, r),
                Format(r.Duration),
                ok ? HealthState.Healthy : probe.Critical ? HealthState.Unhealthy : HealthState.Degraded,
                tags,
                Math.Round(age.TotalSeconds, 3),
                ok ? null : stale ? FailureReasons.Stale : streak.LastFailure?.Reason?.Label(), // not passing: the streak holds the failure that decided it
                streak.ConsecutiveFailures);
        }

        var status = starting ? HealthState.Starting : unhealthy ? HealthState.Unhealthy : degraded ? HealthState.Degraded : HealthState.Healthy;
        var code = starting || unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        return new ReadinessReport(code, new ReadyResponse(status, Format(longest), entries));
    }

    /// <summary>The latest result in words, saying when a threshold holds the verdict against it.</summary>
    private static string Describe(ProbeDefinition probe, ProbeResult r) => r.Streak switch
    {
        { Passing: true } s when !r.Outcome.Healthy => $"tolerated: failure {s.ConsecutiveFailures} of {probe.FailureThreshold} allowed; {r.Outcome.Description}",
        { Passing: false, LastFailure: { } failure } s when r.Outcome.Healthy => $"recovering: success {s.ConsecutiveSuccesses} of {probe.SuccessThreshold} needed; last failure {failure.Description}",
        _ => r.Outcome.Description,
    };

    /// <summary>TimeSpan as UIResponseWriter writes it: <c>00:00:00.0012345</c>.</summary>
    private static string Format(TimeSpan t) => t.ToString("c", CultureInfo.InvariantCulture);
}
