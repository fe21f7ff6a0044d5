using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.Triggers;

/// <summary>
/// One exported metric a trigger may watch, read from what the sampling loop and the runtime
/// session already published (a trigger never reads /proc itself).
/// </summary>
/// <param name="Name">The exported Prometheus name, as written in <c>Triggers:&lt;name&gt;:Metric</c>.</param>
/// <param name="Kind">A counter is compared as a rate per second.</param>
/// <param name="Bytes">True if the value is a byte count (a threshold may then carry KiB/MiB/GiB).</param>
/// <param name="PerProcess">True if the value belongs to one process: history is dropped when the target's identity changes.</param>
/// <param name="Read">The value now, or null while it is unknown (no target, unreadable, runtime not attached).</param>
internal sealed record TriggerMetric(string Name, TriggerMetricKind Kind, bool Bytes, bool PerProcess, Func<TargetSnapshot, DotnetRuntimeSnapshot?, double?> Read)
{
    /// <summary>For the traffic families: the value read from the target's current traffic (null while it has none) instead of <see cref="Read"/>.</summary>
    public Func<Traffic.TrafficSnapshot?, double?>? ReadTraffic { get; init; }

    /// <summary>Labelled series (cpu by mode, faults by kind) are summed over their labels.</summary>
    public string Unit => Kind == TriggerMetricKind.Counter ? (Bytes ? "bytes/s" : "/s") : (Bytes ? "bytes" : string.Empty);
}
