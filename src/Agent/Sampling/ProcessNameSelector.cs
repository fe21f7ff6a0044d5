namespace Agent.Sampling;

/// <summary>Matches the kernel's comm (15 chars) or the executable's file name.</summary>
internal sealed class ProcessNameSelector(string name) : TargetSelector
{
    public override string Description => $"name={name}";

    public override Selection Select(SelectionContext context)
    {
        var t = context.Table;
        var self = context.SelfPid;
        // The kernel truncates comm to 15 bytes; a longer configured name still matches its prefix.
        var comm = name.Length > 15 ? name[..15] : name;
        var matches = t.Processes
            .Where(p => p.Pid != self && !p.IsKernelThread && (p.Comm == comm || string.Equals(t.ExecutableName(p.Pid), name, StringComparison.Ordinal)))
            .ToList();
        return PickRoot(matches, Description);
    }
}
