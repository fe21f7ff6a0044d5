using System.Globalization;

namespace Agent.Sampling;

/// <summary>
/// In a shared PID namespace the target is the only top-level process that is not the agent
/// nor the pod's init (see <see cref="PodLayout"/>).
/// </summary>
internal sealed class AutoSelector : TargetSelector
{
    public override string Description => "auto";

    public override Selection Select(SelectionContext context)
    {
        var roots = PodLayout.TopLevel(context.Table, context.SelfPid);
        return roots.Count switch
        {
            0 => Selection.NotFound("no process other than the agent in this PID namespace (is shareProcessNamespace set?)"),
            1 => Selection.Found(roots[0].Pid),
            _ => Selection.Ambiguous(
                $"{roots.Count} processes qualify: " + string.Join(", ", roots.Take(10).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Pid} ({r.Comm})"))) + (roots.Count > 10 ? ", ..." : string.Empty)
                + "; set Target:ProcessName or Target:CommandLinePattern",
                roots),
        };
    }
}
