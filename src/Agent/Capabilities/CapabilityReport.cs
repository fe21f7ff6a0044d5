namespace Agent.Capabilities;

/// <summary>
/// What the agent can and cannot read of one target process, and as whom it tried: the target's
/// uid, the agent's uid and whether it holds CAP_SYS_PTRACE (null where unknown).
/// </summary>
internal sealed record CapabilityReport(int Pid, int? TargetUid, int? AgentUid, bool? AgentHasSysPtrace, IReadOnlyList<Capability> Items)
{
    public IEnumerable<Capability> Unavailable => Items.Where(i => i.Status == CapabilityStatus.Unavailable);
}
