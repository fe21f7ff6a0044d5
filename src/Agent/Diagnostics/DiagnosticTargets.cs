using Agent.Sampling;

namespace Agent.Diagnostics;

/// <summary>
/// Resolves a target name to the process the sampling loop currently follows. The single-target
/// <c>Target:*</c> keys name their target <see cref="DefaultName"/>; named targets plug in here.
/// </summary>
internal sealed class DiagnosticTargets(TargetSnapshotStore store)
{
    public const string DefaultName = "app";

    public IReadOnlyList<string> Names { get; } = [DefaultName];

    public DiagnosticTarget? Find(string name) =>
        string.Equals(name, DefaultName, StringComparison.Ordinal) && store.Current.Sample is { } sample
            ? new DiagnosticTarget(DefaultName, sample.Identity, sample.Name)
            : null;
}
