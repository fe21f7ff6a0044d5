using Agent.Configuration;

namespace Agent.Sampling;

/// <summary>Turns parsed <see cref="TargetSettings"/> into the one selector they describe.</summary>
internal static class TargetSelectorFactory
{
    public static TargetSelector Create(TargetSettings options) => options switch
    {
        { Pid: { } pid } => new PidSelector(pid),
        { PidFile: { } path } => new PidFileSelector(path),
        { ProcessName: { } name } => new ProcessNameSelector(name),
        { CommandLinePattern: { } pattern } => new CommandLineSelector(pattern),
        { Auto: true } => new AutoSelector(),
        _ => new SelfSelector(),
    };
}
