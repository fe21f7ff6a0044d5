using Agent.Logging;

namespace Agent.Sampling;

/// <summary>Builds trackers that share the loop's reader, interval, clock, logger and repeat gate.</summary>
internal sealed class TrackerFactory(ProcessReader reader, TimeSpan interval, TimeProvider time, ILogger logger, RepeatGate gate)
{
    public ProcessReader Reader => reader;

    public TimeSpan Interval => interval;

    public TimeProvider Time => time;

    public ILogger Logger => logger;

    public TargetTracker Create(string name, bool required, TargetSelector selector, bool includeChildren) =>
        new(name, required, selector, reader, includeChildren, interval, time, logger, gate);
}
