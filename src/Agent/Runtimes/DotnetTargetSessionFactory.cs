using Agent.Configuration;
using Agent.Procfs;
using Agent.Sampling;
using Agent.Traffic;

namespace Agent.Runtimes;

/// <summary>Creates the <see cref="DotnetTargetSession"/> of one target with the agent's shared services.</summary>
internal sealed class DotnetTargetSessionFactory(
    RuntimeSettings runtime,
    SamplingOptions sampling,
    TargetSnapshotStore target,
    ProcFs procfs,
    RuntimeStore store,
    IAttachAdvisor advisor,
    TimeProvider time,
    ILogger<DotnetTargetSession> logger,
    AgentSettings settings,
    TrafficStore traffic)
{
    public TimeProvider Time => time;

    public DotnetTargetSession Create(string name) => new(name, runtime.Dotnet, sampling.Interval, target, procfs, store, advisor, time, logger, settings.Traffic, traffic);
}
