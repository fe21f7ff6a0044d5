namespace Agent.Sampling;

/// <summary>One process as seen by a scan of /proc.</summary>
/// <param name="IsKernelThread">PF_KTHREAD: never a target, whatever its pid.</param>
internal sealed record ProcessEntry(int Pid, int ParentPid, string Comm, ulong StartTimeTicks, bool IsKernelThread = false)
{
    public ProcessIdentity Identity => new(Pid, StartTimeTicks);
}
