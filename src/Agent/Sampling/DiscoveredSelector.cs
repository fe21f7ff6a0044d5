namespace Agent.Sampling;

/// <summary>
/// Finds a discovered target's process again after it is gone (its container restarted): the
/// oldest top-level process with the same comm that no other target follows.
/// </summary>
internal sealed class DiscoveredSelector(string comm) : TargetSelector
{
    public string Comm => comm;

    public override string Description => $"auto (comm={comm})";

    public override Selection Select(SelectionContext context)
    {
        foreach (var p in context.TopLevel)
        {
            if (p.Comm == comm && !context.IsClaimed(p.Pid))
            {
                return Selection.Found(p.Pid);
            }
        }

        return Selection.NotFound($"no top-level process named {comm} in this PID namespace (its container is gone or restarting)");
    }
}
