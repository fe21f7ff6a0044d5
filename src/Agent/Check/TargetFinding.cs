namespace Agent.Check;

/// <summary>Which process the selector picks and why, or why none.</summary>
internal sealed record TargetFinding(CheckStatus Status, string Selector, int? Pid, string? Name, string Explanation, IReadOnlyList<CheckCandidate> Candidates);
