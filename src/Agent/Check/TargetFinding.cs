using Agent.Capabilities;

namespace Agent.Check;

/// <summary>
/// One target of the plan the running agent would follow: its name (the <c>target</c> label), which
/// process its selector picks and why (or why none), and what the agent can read of that process.
/// </summary>
/// <param name="Target">The target's name, as its series and <c>/ready</c> entry carry it.</param>
/// <param name="Required">Whether <c>/ready</c> needs it: a required target that is missing fails the check.</param>
/// <param name="Process">The chosen process's comm.</param>
internal sealed record TargetFinding(CheckStatus Status, string Target, bool Required, string Selector, int? Pid, string? Process, string Explanation, IReadOnlyList<CheckCandidate> Candidates)
{
    /// <summary>What the agent can read of the chosen process; null when none was chosen.</summary>
    public CapabilityReport? Capabilities { get; init; }
}
