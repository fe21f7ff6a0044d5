using Agent.Configuration;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;

namespace Agent.Runtimes;

/// <summary>Creates the <see cref="DotnetTargetSession"/> of one target with the agent's shared services.</summary>
internal sealed class DotnetTargetSessionFactory(
    RuntimeSettings runtime,
    SamplingOptions sampling,
    TargetSnapshotStore target,
    ProcFs procfs,
    RuntimeStore store,
    TimeProvider time,
    RepeatGate gate,
    ILogger<DotnetTargetSession> logger)
{
    public TimeProvider Time => time;

    public DotnetTargetSession Create(string name) => new(name, runtime.Dotnet, sampling.Interval, target, procfs, store, time, gate, logger);
}
