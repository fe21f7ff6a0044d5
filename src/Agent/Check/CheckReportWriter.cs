using System.Globalization;
using System.Text;
using Agent.Capabilities;

namespace Agent.Check;

/// <summary>The readable form of a <see cref="CheckReport"/>: one section per part, every "cannot" with its fix.</summary>
internal static class CheckReportWriter
{
    public static string Text(CheckReport r)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"agent check {r.Version}").AppendLine();
        if (r.Result == "configuration error")
        {
            s.AppendLine().Append("configuration error: ").AppendLine(r.Problems[0]);
            return s.AppendLine().AppendLine("result: configuration error (exit 2)").ToString();
        }

        s.AppendLine("configuration: valid").AppendLine();
        s.AppendLine(r.Targets.Count == 1 ? "target" : $"targets ({r.Targets.Count})");
        foreach (var t in r.Targets)
        {
            s.Append(CultureInfo.InvariantCulture, $"  {Mark(t.Status)} {t.Target} ({t.Selector}{(t.Required ? string.Empty : ", optional")}) {t.Explanation}").AppendLine();
            Candidates(s, t.Candidates);
            if (t.Capabilities is { } caps)
            {
                Capabilities(s, caps);
            }
        }

        if (r.AutoCandidates.Count > 0)
        {
            s.AppendLine("  every process of this PID namespace (Target:Auto)");
            Candidates(s, r.AutoCandidates);
        }

        s.AppendLine();
        s.AppendLine(r.Probes.Count == 0 ? "probes: none configured" : "probes (one run each)");
        foreach (var p in r.Probes)
        {
            var what = p.Status == CheckStatus.Ok ? p.Description : p.Text;
            s.Append(CultureInfo.InvariantCulture, $"  {Mark(p.Status)} {p.Name} ({p.Kind}{(p.Critical ? ", critical" : string.Empty)}) {what} [{p.DurationSeconds * 1000:0} ms]").AppendLine();
        }

        s.AppendLine().AppendLine("listen");
        foreach (var l in r.Listen)
        {
            s.Append(CultureInfo.InvariantCulture, $"  {Mark(l.Status)} {l.Url} {l.Detail}").AppendLine();
        }

        s.AppendLine();
        foreach (var w in r.Warnings)
        {
            s.Append("warning: ").AppendLine(w);
        }

        foreach (var p in r.Problems)
        {
            s.Append("problem: ").AppendLine(p);
        }

        s.Append(CultureInfo.InvariantCulture, $"result: {r.Result} (exit {r.ExitCode}) in {r.ElapsedSeconds:0.00} s of a {r.DeadlineSeconds:0.#} s deadline").AppendLine();
        return s.ToString();
    }

    private static void Candidates(StringBuilder s, IReadOnlyList<CheckCandidate> candidates)
    {
        foreach (var c in candidates)
        {
            s.Append(CultureInfo.InvariantCulture, $"    {(c.Taken ? "taken    " : "left out ")} {c.Pid,7} {c.Name,-15} {c.Reason}").AppendLine();
        }

        if (candidates.Count == TargetCheck.MaxCandidates)
        {
            s.Append(CultureInfo.InvariantCulture, $"    (first {TargetCheck.MaxCandidates} processes shown)").AppendLine();
        }
    }

    private static void Capabilities(StringBuilder s, CapabilityReport caps)
    {
        var ptrace = caps.AgentHasSysPtrace switch { true => "yes", false => "no", _ => "unknown" };
        s.Append(CultureInfo.InvariantCulture, $"         what the agent can read of pid {caps.Pid} (target uid {Id(caps.TargetUid)}; agent uid {Id(caps.AgentUid)}, CAP_SYS_PTRACE {ptrace})").AppendLine();
        foreach (var c in caps.Items)
        {
            s.Append(CultureInfo.InvariantCulture, $"    {(c.OptIn == true ? "off   " : Mark(c.Status))} {c.Name,-25} {c.Detail}").AppendLine();
            if (c.Fix is { } fix)
            {
                s.Append(CultureInfo.InvariantCulture, $"    {string.Empty,-6} {string.Empty,-25} {(c.OptIn == true ? "to enable" : "fix")}: {fix}").AppendLine();
                s.Append(CultureInfo.InvariantCulture, $"    {string.Empty,-6} {string.Empty,-25} without it: {c.Affects}").AppendLine();
            }
        }
    }

    private static string Mark(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "ok    ",
        CheckStatus.Warning => "WARN  ",
        CheckStatus.Unfinished => "LATE  ",
        _ => "FAIL  ",
    };

    private static string Mark(CapabilityStatus status) => status switch
    {
        CapabilityStatus.Available => "ok    ",
        CapabilityStatus.NotApplicable => "n/a   ",
        _ => "CANNOT",
    };

    private static string Id(int? id) => id?.ToString(CultureInfo.InvariantCulture) ?? "?";
}
