namespace Agent.Status;

/// <summary>
/// One probe: its latest result and how long it has been in that state. <c>State</c> is
/// <c>ok</c>, <c>failing</c>, <c>stale</c> (no fresh result: counted as failing) or
/// <c>pending</c> (no result yet). The description is scrubbed of secrets at the source.
/// </summary>
internal sealed record ProbeStatus(
    string Name,
    string Kind,
    bool Critical,
    string State,
    string? Reason,
    string? Description,
    double? AgeSeconds,
    double? LatencyMs,
    long Streak,
    DateTimeOffset? Since,
    ProbeSeries History);
