using Agent.Configuration;

namespace Agent.Probes;

/// <summary>A probe's latest outcome with its timing: what the cache holds and /ready reads.</summary>
internal sealed record ProbeResult(ProbeDefinition Probe, ProbeOutcome Outcome, TimeSpan Duration, DateTimeOffset CompletedAt)
{
    public TimeSpan Age(DateTimeOffset now) => now - CompletedAt;

    /// <summary>
    /// The one freshness rule, for /ready and <c>agent_probe_success</c> alike: a result older than
    /// <see cref="ProbeDefinition.StaleAfter"/> counts as failed (a stuck scheduler must not keep
    /// /ready green).
    /// </summary>
    public bool IsFresh(DateTimeOffset now) => Age(now) <= Probe.StaleAfter;

    /// <summary>Healthy and fresh.</summary>
    public bool Succeeded(DateTimeOffset now) => Outcome.Healthy && IsFresh(now);

    /// <summary>The run of results up to this one and /ready's debounced verdict (a first result by default).</summary>
    public ProbeStreak Streak { get; init; } = ProbeStreak.Start(Outcome);
}
