namespace Agent.Sampling;

/// <summary>One process as seen by a scan of /proc.</summary>
/// <param name="IsKernelThread">PF_KTHREAD: never a target, whatever its pid.</param>
/// <param name="IsZombie">Finished, not yet waited for: no one's target, but its CPU still counts for its tree until it is reaped.</param>
/// <param name="LeaderExited">Alive although its leader thread exited (<c>State: Z</c> with live threads).</param>
internal sealed record ProcessEntry(int Pid, int ParentPid, string Comm, ulong StartTimeTicks, bool IsKernelThread = false, bool IsZombie = false, bool LeaderExited = false)
{
    public ProcessIdentity Identity => new(Pid, StartTimeTicks);
}
