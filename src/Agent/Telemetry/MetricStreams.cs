using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Probes;
using OpenTelemetry.Metrics;

namespace Agent.Telemetry;

/// <summary>
/// The one view every instrument passes through: <see cref="SelfMetrics"/>' drops and renames, and
/// how many series each stream may hold. OpenTelemetry allocates every stream for its cardinality
/// limit up front (2000 points by default: a 144 KB point array, mostly untouched, plus ~40 KB of
/// index written at once); with ~60 streams that was 2.4 MB of the agent's 3.7 MB of live heap
/// (measured: docs/benchmarks.md, Footprint). Where the label sets are fixed by code or by
/// configuration the limit follows them; where they are not (targets that Target:Auto discovers, the
/// process info's pid across restarts, captures, federated families) OpenTelemetry's default stays.
/// </summary>
/// <param name="targets">The configured targets; null when Target:Auto may add more.</param>
internal sealed class MetricStreams(SelfMetricsMode self, int probes, int triggers, int? targets)
{
    /// <summary>
    /// Streams whose labels the code fixes: the agent's own runtime and process metrics (a generation,
    /// a CPU mode, an exception type of the agent's own). Far above what they hold, at ~9 KB each.
    /// </summary>
    public const int FixedLimit = 100;

    /// <summary>
    /// Series one target may have in one instrument of the target and runtime meters: today at most 5
    /// (a GC generation); the room is for instruments to come, an overflow shows as an
    /// <c>otel_metric_overflow</c> label, which the metrics contract test refuses.
    /// </summary>
    public const int PerTarget = 64;

    /// <summary>The one pid-labelled instrument: a series per process seen, restarts included.</summary>
    private const string ProcessInfo = "target.process.info";

    public static MetricStreams From(AgentSettings settings) =>
        new(settings.Telemetry.SelfMetrics, settings.Probes.Count, settings.Triggers.Count, settings.Targets.Auto ? null : settings.Targets.Targets.Count);

    public MetricStreamConfiguration? For(Instrument instrument)
    {
        var stream = SelfMetrics.Stream(instrument, self);
        if (ReferenceEquals(stream, MetricStreamConfiguration.Drop) || instrument.Name == ProcessInfo || Limit(instrument.Meter.Name) is not { } limit)
        {
            return stream;
        }

        stream ??= new MetricStreamConfiguration();
        stream.CardinalityLimit = limit;
        return stream;
    }

    /// <summary>The most series any instrument of <paramref name="meter"/> can have, with room; null when unbounded here.</summary>
    public int? Limit(string meter) => meter switch
    {
        SelfMetrics.RuntimeMeter or SelfMetrics.ProcessMeter or SelfMetrics.MeterName => FixedLimit,
        // agent_probe_failures_total{probe,kind,reason}: every configured probe with every reason.
        ProbeMetrics.MeterName => Math.Max(FixedLimit, probes * (FailureReasons.All.Length + 1)),
        // agent_trigger_state{trigger}, agent_trigger_firings_total{trigger}: one series per trigger.
        TriggerMetrics.MeterName => Math.Max(FixedLimit, triggers + 1),
        // target_*{target,...}: the configured targets, each with a few label values.
        TargetMetrics.MeterName or RuntimeMetrics.MeterName when targets is { } n => Math.Max(FixedLimit, n * PerTarget),
        // target_container_*{target,...}: one series per target (three for the memory events).
        ContainerMetrics.MeterName => targets is { } c ? Math.Max(ContainerMetrics.CardinalityLimit, c * PerTarget) : ContainerMetrics.CardinalityLimit,
        _ => null,
    };
}
