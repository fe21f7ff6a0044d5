namespace Agent.Sampling;

internal sealed class SelfSelector : TargetSelector
{
    public override string Description => "self";

    public override Selection Select(SelectionContext context) => Selection.Found(context.SelfPid);
}
