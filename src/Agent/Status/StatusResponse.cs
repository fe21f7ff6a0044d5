using Agent.Common;

namespace Agent.Status;

/// <summary>
/// Everything the status page shows, as <c>/api/status</c> serves it: the agent, each target with
/// its last 15 minutes, each probe with its results, and the event timeline (newest first).
/// </summary>
internal sealed record StatusResponse(
    string Version,
    DateTimeOffset Now,
    double IntervalSeconds,
    HealthState Ready,
    IReadOnlyList<TargetStatus> Targets,
    IReadOnlyList<ProbeStatus> Probes,
    IReadOnlyList<EventEntry> Events);
