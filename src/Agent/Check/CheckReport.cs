namespace Agent.Check;

/// <summary>
/// Everything <c>agent check</c> found, in the order it is printed. <see cref="Problems"/> lists
/// each failure in one line; the exit code is 0 without problems, 1 with.
/// </summary>
/// <param name="Targets">Every target of the plan the running agent would follow (named targets, <c>Target:*</c> as <c>app</c>, each process <c>Target:Auto</c> would take).</param>
/// <param name="AutoCandidates">With <c>Target:Auto</c>: every process of the namespace and why it was taken or left out.</param>
internal sealed record CheckReport(
    string Version,
    string Result,
    int ExitCode,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<TargetFinding> Targets,
    IReadOnlyList<CheckCandidate> AutoCandidates,
    IReadOnlyList<ProbeFinding> Probes,
    IReadOnlyList<ListenFinding> Listen,
    double DeadlineSeconds,
    double ElapsedSeconds);
