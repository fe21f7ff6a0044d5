namespace Agent.Sampling;

/// <summary>
/// What the sampling loop last published: immutable, swapped atomically, read by endpoints
/// and metric callbacks without locks.
/// </summary>
/// <param name="Sample">Null while no target is present.</param>
/// <param name="Restarts">New identities seen after the first one.</param>
/// <param name="Selector">How the target is chosen, for humans.</param>
/// <param name="Problem">Why no target is present, when none is.</param>
/// <param name="TakenAt">When the tick that produced this finished.</param>
internal sealed record TargetSnapshot(
    TargetSample? Sample,
    long Restarts,
    string Selector,
    string? Problem,
    DateTimeOffset TakenAt)
{
    public static TargetSnapshot Initial(string selector, DateTimeOffset now) =>
        new(null, 0, selector, "not sampled yet", now);
}
