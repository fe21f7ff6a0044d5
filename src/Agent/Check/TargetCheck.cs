using System.Globalization;
using Agent.Configuration;
using Agent.Sampling;

namespace Agent.Check;

/// <summary>
/// Runs the configured selector once and says which process it picks and why. For
/// <c>Target:Auto</c> every process of the namespace is listed with the reason it was taken or
/// left out, so "why not my app?" has an answer.
/// </summary>
internal static class TargetCheck
{
    /// <summary>Beyond this many processes (a host namespace, not a pod) the list is cut.</summary>
    public const int MaxCandidates = 50;

    public static TargetFinding Run(TargetSelector selector, TargetOptions options, string procRoot, int selfPid)
    {
        ProcessTable? table = null;
        ProcessTable Table() => table ??= ProcessTable.Scan(procRoot);
        var selection = selector.Select(Table);
        var candidates = options.Auto ? ExplainAuto(Table(), selfPid, selection.Pid) : [];
        if (selection.Pid is not { } pid)
        {
            var listed = candidates.Count > 0 ? candidates : [.. selection.Candidates.Take(MaxCandidates).Select(c => new CheckCandidate(c.Pid, c.Comm, false, "qualifies too: ambiguous"))];
            return new(CheckStatus.Failed, selector.Description, null, null, selection.Problem ?? "no process found", listed);
        }

        var name = Table().Find(pid)?.Comm ?? "?";
        var why = options switch
        {
            { Pid: not null } => "the configured pid",
            { PidFile: { } file } => $"the pid in {file}",
            { ProcessName: { } n } => $"the oldest tree root among the processes named {n}",
            { CommandLinePattern: { } p } => $"the oldest tree root among the processes whose command line matches {p}",
            { Auto: true } => "the only top-level process of this PID namespace besides the agent",
            _ => "no selector is set: the agent watches itself (set Target:ProcessName, Target:Auto, ...)",
        };
        return new(CheckStatus.Ok, selector.Description, pid, name, string.Create(CultureInfo.InvariantCulture, $"pid {pid} ({name}): {why}"), candidates);
    }

    /// <summary>The reason for each process, in the order of the auto selector's own rules.</summary>
    private static List<CheckCandidate> ExplainAuto(ProcessTable table, int selfPid, int? taken)
    {
        var ancestors = table.Ancestry(selfPid);
        var own = table.Tree(selfPid).Select(p => p.Pid).ToHashSet();
        var eligible = table.Processes
            .Where(p => !ancestors.Contains(p.Pid) && !own.Contains(p.Pid) && p.Comm != "pause" && p.ParentPid != 2 && p.Pid != 2)
            .Select(p => p.Pid)
            .ToHashSet();
        var roots = table.Processes.Count(p => eligible.Contains(p.Pid) && !eligible.Contains(p.ParentPid));
        var result = new List<CheckCandidate>();
        foreach (var p in table.Processes.OrderBy(p => p.Pid).Take(MaxCandidates))
        {
            var reason = p switch
            {
                _ when p.Pid == selfPid => "the agent itself",
                _ when ancestors.Contains(p.Pid) => "an ancestor of the agent (its parent, or the namespace's init)",
                _ when own.Contains(p.Pid) => "started by the agent",
                _ when p.Comm == "pause" => "the pod's pause container",
                _ when p.Pid == 2 || p.ParentPid == 2 => "a kernel thread",
                _ when eligible.Contains(p.ParentPid) => string.Create(CultureInfo.InvariantCulture, $"a child of {p.ParentPid}: only top-level processes qualify"),
                _ when p.Pid == taken => "the only top-level process besides the agent",
                _ => string.Create(CultureInfo.InvariantCulture, $"one of {roots} top-level processes: ambiguous, set Target:ProcessName or Target:CommandLinePattern"),
            };
            result.Add(new(p.Pid, p.Comm, p.Pid == taken, reason));
        }

        return result;
    }
}
