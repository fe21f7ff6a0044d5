using System.Globalization;
using Agent.Configuration;
using Agent.Procfs;
using Agent.Sampling;

namespace Agent.Check;

/// <summary>
/// Runs the plan the running agent would follow, once: every named target's selector (and
/// <c>Target:*</c> as <c>app</c>), then, with <c>Target:Auto</c>, every top-level process of the
/// namespace that no named target holds, named as the running agent names it. Each finding says
/// which process was picked and why; for Auto every process of the namespace is listed with the
/// reason it was taken or left out, so "why not my app?" has an answer.
/// </summary>
internal static class TargetCheck
{
    /// <summary>Beyond this many processes (a host namespace, not a pod) the list is cut.</summary>
    public const int MaxCandidates = 50;

    public static (List<TargetFinding> Targets, List<CheckCandidate> AutoCandidates) Run(TargetPlan plan, IReadOnlyCollection<string> proxies, ProcFs fs, int selfPid)
    {
        var claimed = new HashSet<int>();
        var context = new SelectionContext(fs, selfPid, claimed.Contains);
        var findings = new List<TargetFinding>();
        foreach (var target in plan.Targets)
        {
            var finding = One(target, context);
            if (finding.Pid is { } pid)
            {
                claimed.Add(pid);
            }

            findings.Add(finding);
        }

        if (!plan.Auto)
        {
            return (findings, []);
        }

        var (discovered, candidates) = Auto(context, findings.Select(f => f.Target), proxies);
        findings.AddRange(discovered);
        return (findings, candidates);
    }

    private static TargetFinding One(TargetDefinition target, SelectionContext context)
    {
        var selector = TargetSelectorFactory.Create(target.Selector);
        var selection = selector.Select(context);
        if (selection.Pid is not { } pid)
        {
            var listed = selection.Candidates.Take(MaxCandidates).Select(c => new CheckCandidate(c.Pid, c.Comm, false, "qualifies too: ambiguous")).ToList();
            return new(CheckStatus.Failed, target.Name, target.Required, selector.Description, null, null, selection.Problem ?? "no process found", listed);
        }

        var comm = context.Table.Find(pid)?.Comm ?? "?";
        var why = target.Selector switch
        {
            { Pid: not null } => "the configured pid",
            { PidFile: { } file } => $"the pid in {file}",
            { ProcessName: { } n } => $"the oldest tree root among the processes named {n}",
            { CommandLinePattern: { } p } => $"the oldest tree root among the processes whose command line matches {p}",
            { Port: { } port } => string.Create(CultureInfo.InvariantCulture, $"the process that listens on port {port}"),
            _ => "no selector is set: the agent watches itself (set Target:ProcessName, Target:Auto, Targets:<name>:..., ...)",
        };
        return new(CheckStatus.Ok, target.Name, target.Required, selector.Description, pid, comm, string.Create(CultureInfo.InvariantCulture, $"pid {pid} ({comm}): {why}"), []);
    }

    /// <summary>
    /// What <see cref="AutoDiscovery"/> would make targets of (every top-level process nobody else
    /// holds, named after its comm, proxies optional), with <see cref="PodLayout"/>'s reason for
    /// every process it leaves out.
    /// </summary>
    private static (List<TargetFinding> Found, List<CheckCandidate> Candidates) Auto(SelectionContext context, IEnumerable<string> names, IReadOnlyCollection<string> proxies)
    {
        // `kubectl exec <pod> -c agent -- agent check` runs beside the sidecar it checks: another
        // process with the agent's own name is that sidecar, not an app.
        var self = context.Table.Find(context.SelfPid)?.Comm;
        var taken = names.ToHashSet(StringComparer.Ordinal);
        var found = new List<TargetFinding>();
        var byPid = new Dictionary<int, string>();
        foreach (var p in context.TopLevel)
        {
            if (context.IsClaimed(p.Pid) || p.Comm == self)
            {
                continue;
            }

            var name = TargetNames.Unique(TargetNames.FromComm(p.Comm), taken);
            taken.Add(name);
            var proxy = proxies.Contains(p.Comm);
            byPid[p.Pid] = proxy ? $"target '{name}' (a known proxy: optional for /ready)" : $"target '{name}'";
            found.Add(new(CheckStatus.Ok, name, !proxy, "auto", p.Pid, p.Comm, string.Create(CultureInfo.InvariantCulture, $"pid {p.Pid} ({p.Comm}): a top-level process of this PID namespace{(proxy ? ", a known proxy: optional for /ready" : string.Empty)}"), []));
        }

        if (found.Count == 0)
        {
            found.Add(new(CheckStatus.Failed, "auto", true, "auto", null, null, "no process other than the agent (and mesh proxies) in this PID namespace (is shareProcessNamespace set?)", []));
        }

        var candidates = PodLayout.Explain(context.Table, context.SelfPid)
            .Take(MaxCandidates)
            .Select(v => new CheckCandidate(
                v.Process.Pid,
                v.Process.Comm,
                byPid.ContainsKey(v.Process.Pid),
                v.LeftOutBecause ?? (byPid.TryGetValue(v.Process.Pid, out var as_) ? as_
                    : v.Process.Comm == self ? "another process named like the agent: the sidecar being checked"
                    : "held by a named target")))
            .ToList();
        return (found, candidates);
    }
}
