namespace Agent.Sampling;

/// <summary>One target as the sampling loop last saw it.</summary>
/// <param name="Name">The <c>target</c> label: a configured name, <c>app</c> for the single-target keys, or a discovered comm.</param>
/// <param name="Required">Whether <c>/ready</c> fails while it is absent.</param>
/// <param name="Sample">Null while no process is present.</param>
/// <param name="Restarts">New identities seen after the first one.</param>
/// <param name="Selector">How the target is chosen, for humans.</param>
/// <param name="Problem">Why no process is present, when none is.</param>
/// <param name="TakenAt">When the tick that produced this finished.</param>
internal sealed record TargetSnapshot(
    string Name,
    bool Required,
    TargetSample? Sample,
    long Restarts,
    string Selector,
    string? Problem,
    DateTimeOffset TakenAt)
{
    /// <summary>The target's cgroup this tick (memory against its limit, CPU throttling, pressure); null while absent or not located.</summary>
    public Containers.ContainerSample? Container { get; init; }

    /// <summary>The target's OOM kills and the restarts they caused, kept while it is absent too.</summary>
    public Containers.OomState Oom { get; init; } = Containers.OomState.None;

    public static TargetSnapshot Initial(string name, bool required, string selector, DateTimeOffset now) =>
        new(name, required, null, 0, selector, "not sampled yet", now);
}
