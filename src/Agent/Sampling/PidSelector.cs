namespace Agent.Sampling;

/// <summary>
/// A fixed pid names a process: the one found there first (pid and start time). Once it is gone
/// the target is down; a process that later gets the pid is another process (see
/// <see cref="TargetTracker"/>).
/// </summary>
internal sealed class PidSelector(int pid) : TargetSelector
{
    public override string Description => $"pid={pid}";

    public override bool NamesOneProcess => true;

    public override Selection Select(SelectionContext context) =>
        context.Fs.Process(pid).Exists() ? Selection.Found(pid) : Selection.NotFound($"process {pid} does not exist");
}
