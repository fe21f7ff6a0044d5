using Agent.Configuration;

namespace Agent.Sampling;

/// <summary>Turns validated <see cref="TargetOptions"/> into the one selector they describe.</summary>
internal static class TargetSelectorFactory
{
    public static TargetSelector Create(TargetOptions options, string procRoot) => options switch
    {
        { Pid: { } pid } => new PidSelector(pid, procRoot),
        { PidFile: { } path } => new PidFileSelector(path, procRoot),
        { ProcessName: { } name } => new ProcessNameSelector(name),
        { CommandLinePattern: { } pattern } => new CommandLineSelector(AgentSettings.CompilePattern(pattern)),
        { Auto: true } => new AutoSelector(),
        _ => new SelfSelector(),
    };
}
