using Agent.Configuration;
using Agent.Sampling;

namespace Agent.Diagnostics;

/// <summary>
/// Resolves a target name to the process the sampling loop currently follows: any named,
/// single-target (<see cref="TargetNames.Default"/>) or discovered target of the latest snapshot.
/// </summary>
internal sealed class DiagnosticTargets(TargetSnapshotStore store)
{
    public IReadOnlyList<string> Names => [.. store.Current.Targets.Select(t => t.Name)];

    /// <summary>The primary target's name (<c>app</c>, else the first by name): the one <c>Runtime:MetricsUrl</c> describes.</summary>
    public string? Primary => store.Current.Primary?.Name;

    public DiagnosticTarget? Find(string name) =>
        store.Current.Find(name) is { Sample: { } sample }
            ? new DiagnosticTarget(name, sample.Identity, sample.Name, sample.ProcessCount)
            : null;
}
