namespace Agent.Sampling;

/// <summary>
/// A process is its pid <b>and</b> its start time: pids are reused, and a pid alone would make
/// a new process look like the old one.
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartTimeTicks)
{
    public override string ToString() => $"{Pid}@{StartTimeTicks}";
}
