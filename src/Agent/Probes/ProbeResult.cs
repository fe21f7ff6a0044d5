using Agent.Configuration;

namespace Agent.Probes;

/// <summary>A probe's latest outcome with its timing: what the cache holds and /ready reads.</summary>
internal sealed record ProbeResult(ProbeDefinition Probe, ProbeOutcome Outcome, TimeSpan Duration, DateTimeOffset CompletedAt);
