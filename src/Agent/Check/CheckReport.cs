using System.Text.Json.Serialization;
using Agent.Capabilities;

namespace Agent.Check;

// The report of `agent check` as CheckJsonContext writes it: the records of one document live together.

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

/// <summary>A process a selector looked at, and why it was taken or left out.</summary>
internal sealed record CheckCandidate(int Pid, string Name, bool Taken, string Reason);

/// <summary>One run of one probe: its classified result and duration.</summary>
internal sealed record ProbeFinding(CheckStatus Status, string Name, string Kind, bool Critical, string? Reason, string Description, double DurationSeconds)
{
    /// <summary>
    /// The reason, then the description — once: many descriptions already start with their reason
    /// (<c>refused: SocketException: …</c>), and "refused: refused:" reads as a stutter.
    /// </summary>
    [JsonIgnore]
    public string Text => Reason is null || Description.StartsWith(Reason + ":", StringComparison.Ordinal) ? Description : $"{Reason}: {Description}";
}

/// <summary>One address the agent would listen on, and whether it is free.</summary>
internal sealed record ListenFinding(CheckStatus Status, string Url, string Detail);

/// <summary>The outcome of one part of <c>agent check</c>.</summary>
internal enum CheckStatus
{
    /// <summary>Works.</summary>
    Ok,

    /// <summary>Does not work, but a normal start would not be refused for it (a non-critical probe).</summary>
    Warning,

    /// <summary>Does not work: exit code 1.</summary>
    Failed,

    /// <summary>Did not finish within the check's deadline: exit code 1.</summary>
    Unfinished,
}
