namespace Agent.Sampling;

internal sealed class PidSelector(int pid) : TargetSelector
{
    public override string Description => $"pid={pid}";

    public override Selection Select(SelectionContext context) =>
        context.Fs.Process(pid).Exists() ? Selection.Found(pid) : Selection.NotFound($"process {pid} does not exist");
}
