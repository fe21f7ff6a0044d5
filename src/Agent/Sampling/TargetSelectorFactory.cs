using Agent.Configuration;

namespace Agent.Sampling;

/// <summary>Turns a validated selector (<see cref="TargetSettings"/>) into the one selector it describes.</summary>
internal static class TargetSelectorFactory
{
    public static TargetSelector Create(TargetSettings target) => target switch
    {
        { Pid: { } pid } => new PidSelector(pid),
        { PidFile: { } path } => new PidFileSelector(path),
        { ProcessName: { } name } => new ProcessNameSelector(name),
        { CommandLinePattern: { } pattern } => new CommandLineSelector(pattern),
        { Port: { } port } => new PortSelector(port),
        _ => new SelfSelector(),
    };
}
