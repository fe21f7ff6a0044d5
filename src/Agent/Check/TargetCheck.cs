using System.Globalization;
using Agent.Configuration;
using Agent.Procfs;
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

    public static TargetFinding Run(TargetSelector selector, TargetSettings options, ProcFs fs, int selfPid)
    {
        var context = new SelectionContext(fs, selfPid);
        ProcessTable Table() => context.Table;
        var selection = selector.Select(context);
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

    /// <summary>The auto selector's own rules (<see cref="PodLayout"/>), with the reason for each process.</summary>
    private static List<CheckCandidate> ExplainAuto(ProcessTable table, int selfPid, int? taken)
    {
        var verdicts = PodLayout.Explain(table, selfPid);
        var topLevel = verdicts.Count(v => v.LeftOutBecause is null);
        return verdicts
            .Take(MaxCandidates)
            .Select(v => new CheckCandidate(v.Process.Pid, v.Process.Comm, v.Process.Pid == taken, v.LeftOutBecause ?? (v.Process.Pid == taken
                ? "the only top-level process besides the agent"
                : string.Create(CultureInfo.InvariantCulture, $"one of {topLevel} top-level processes: ambiguous, set Target:ProcessName or Target:CommandLinePattern"))))
            .ToList();
    }
}
