namespace Agent.Sampling;

/// <summary>What a selector found.</summary>
/// <param name="Pid">The process the selector itself would pick.</param>
/// <param name="Matches">
/// Every process that matched, the pick first, then in the selector's order of preference (empty
/// for selectors that name one pid): a target that was lost may be continued by another of them.
/// </param>
/// <param name="Candidates">For an ambiguous selection (<c>agent check</c>): the processes that qualified.</param>
internal readonly record struct Selection(int? Pid, string? Problem, IReadOnlyList<ProcessEntry> Candidates, IReadOnlyList<ProcessEntry> Matches)
{
    public static Selection Found(int pid) => new(pid, null, [], []);

    /// <summary>Several may match: <paramref name="ordered"/> holds them, the preferred first.</summary>
    public static Selection Picked(IReadOnlyList<ProcessEntry> ordered) => new(ordered[0].Pid, null, [], ordered);

    public static Selection NotFound(string why) => new(null, why, [], []);

    public static Selection Ambiguous(string why, IReadOnlyList<ProcessEntry> candidates) => new(null, why, candidates, []);
}
