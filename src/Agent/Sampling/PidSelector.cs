using System.Globalization;
using System.Text.RegularExpressions;

namespace Agent.Sampling;

internal sealed class PidSelector(int pid, string procRoot) : TargetSelector
{
    public override string Description => $"pid={pid}";

    public override Selection Select(Func<ProcessTable> table) =>
        Exists(procRoot, pid) ? Selection.Found(pid) : Selection.NotFound($"process {pid} does not exist");
}
