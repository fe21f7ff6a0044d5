using Agent.Capabilities;

namespace Agent.Check;

/// <summary>
/// Everything <c>agent check</c> found, in the order it is printed. <see cref="Problems"/> lists
/// each failure in one line; the exit code is 0 without problems, 1 with.
/// </summary>
internal sealed record CheckReport(
    string Version,
    string Result,
    int ExitCode,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Warnings,
    TargetFinding? Target,
    CapabilityReport? Capabilities,
    IReadOnlyList<ProbeFinding> Probes,
    IReadOnlyList<ListenFinding> Listen,
    double DeadlineSeconds,
    double ElapsedSeconds);
