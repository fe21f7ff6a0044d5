namespace Agent.Configuration;

/// <summary>
/// One exported metric a trigger may watch, as configuration knows it. How it is read (from what
/// the sampling loop and the runtime session already published: a trigger never reads /proc
/// itself) is the triggers' business: <c>Triggers.TriggerMetricReaders</c>, by <see cref="Name"/>.
/// </summary>
/// <param name="Name">The exported Prometheus name, as written in <c>Triggers:&lt;name&gt;:Metric</c>.</param>
/// <param name="Kind">A counter is compared as a rate per second.</param>
/// <param name="Bytes">True if the value is a byte count (a threshold may then carry KiB/MiB/GiB).</param>
/// <param name="PerProcess">True if the value belongs to one process: history is dropped when the target's identity changes.</param>
internal sealed record TriggerMetric(string Name, TriggerMetricKind Kind, bool Bytes, bool PerProcess)
{
    /// <summary>Labelled series (cpu by mode, faults by kind) are summed over their labels.</summary>
    public string Unit => Kind == TriggerMetricKind.Counter ? (Bytes ? "bytes/s" : "/s") : (Bytes ? "bytes" : string.Empty);
}

/// <summary>How a trigger reads a metric: a gauge as is, a counter as its rate per second.</summary>
internal enum TriggerMetricKind
{
    Gauge,
    Counter,
}
