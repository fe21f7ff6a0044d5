namespace Agent.Configuration;

/// <summary>How a trigger reads a metric: a gauge as is, a counter as its rate per second.</summary>
internal enum TriggerMetricKind
{
    Gauge,
    Counter,
}
