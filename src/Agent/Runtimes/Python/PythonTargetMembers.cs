using Agent.Procfs;
using Agent.Sampling;

namespace Agent.Runtimes.Python;

/// <summary>
/// The processes of a target that can each have a hook: the target's process, or for a tree target
/// (<c>IncludeChildren</c>, a gunicorn master and its workers) every process of its tree. The
/// tree is read from one scan of /proc, made only when the sampling loop counted more than one
/// process; a process that answers for itself (a worker) is attributed by its own pid.
/// </summary>
internal static class PythonTargetMembers
{
    public static IReadOnlyList<ProcessIdentity> Of(ProcessIdentity root, int processCount, Func<ProcessTable> table) =>
        processCount <= 1 ? [root] : [.. table().Tree(root.Pid).Select(p => p.Identity)];

    /// <summary>Looks like CPython by its executable (<c>python3.11</c>, <c>python3</c>): listed as a Python target even before its hook answers.</summary>
    public static bool LooksPython(ProcPid process) => process.ExecutableName().StartsWith("python", StringComparison.Ordinal);
}
