using Agent.Procfs;
using Agent.Runtimes.Python;
using Agent.Sampling;

namespace Agent.Diagnostics.Python;

/// <summary>The members of a capture's target whose Python hook socket is there: the target's process, or every process of a tree target.</summary>
internal sealed class PythonHookTargets(ProcFs fs)
{
    /// <summary>Each member with a hook socket (pid as the agent numbers it, the socket's path).</summary>
    public IReadOnlyList<(int Pid, string Socket)> Find(DiagnosticTarget target)
    {
        var found = new List<(int, string)>();
        foreach (var member in PythonTargetMembers.Of(target.Identity, target.Processes, () => ProcessTable.Scan(fs)))
        {
            if (PythonHook.Find(fs.Process(member.Pid)) is { } socket)
            {
                found.Add((member.Pid, socket));
            }
        }

        return found;
    }

    public static string NoHookFix(DiagnosticTarget target) =>
        $"no Python hook socket (sidecar-hook-<pid>.sock) for pid {target.Identity.Pid}{(target.Processes > 1 ? " or its children" : "")} in the agent's temp directory or the target's /tmp: {PythonHook.LoadFix}";
}
