using Agent.Configuration;

namespace Agent.Sampling;

/// <summary>Turns validated <see cref="TargetOptions"/> into the one selector they describe.</summary>
internal static class TargetSelectorFactory
{
    public static TargetSelector Create(TargetOptions options) => options switch
    {
        { Pid: { } pid } => new PidSelector(pid),
        { PidFile: { } path } => new PidFileSelector(path),
        { ProcessName: { } name } => new ProcessNameSelector(name),
        { CommandLinePattern: { } pattern } => new CommandLineSelector(AgentSettings.CompilePattern(pattern)),
        { Auto: true } => new AutoSelector(),
        _ => new SelfSelector(),
    };
}
