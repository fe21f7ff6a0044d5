using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Probes;
using Agent.Telemetry;
using OpenTelemetry.Metrics;

namespace Agent.Tests.Telemetry;

/// <summary>
/// The one view: drops and renames of the self metrics kept as they were, and cardinality limits
/// only where the code or the configuration fixes the label sets (every series the agent can produce
/// there fits; an overflow would show as an <c>otel_metric_overflow</c> label, which the metrics
/// contract test refuses).
/// </summary>
public sealed class MetricStreamsTests
{
    [Fact]
    public void Self_metrics_keep_their_drops_and_renames_and_get_the_fixed_limit()
    {
        using var runtime = new Meter(SelfMetrics.RuntimeMeter);
        using var process = new Meter(SelfMetrics.ProcessMeter);
        var full = new MetricStreams(SelfMetricsMode.Full, probes: 0, triggers: 0, targets: 1);

        Assert.Same(MetricStreamConfiguration.Drop, full.For(runtime.CreateObservableUpDownCounter("dotnet.thread_pool.thread.count", () => 1)));
        var renamed = full.For(runtime.CreateObservableUpDownCounter("dotnet.assembly.count", () => 1))!;
        Assert.Equal("dotnet.assemblies", renamed.Name);
        Assert.Equal(MetricStreams.FixedLimit, renamed.CardinalityLimit);
        var threads = full.For(process.CreateObservableUpDownCounter("process.thread.count", () => 1))!;
        Assert.Equal("process.threads", threads.Name);

        var minimal = new MetricStreams(SelfMetricsMode.Minimal, 0, 0, 1);
        Assert.Same(MetricStreamConfiguration.Drop, minimal.For(process.CreateObservableGauge("process.memory.virtual", () => 1)));
        Assert.Null(full.For(process.CreateObservableGauge("process.memory.virtual", () => 1))!.Name);
    }

    [Fact]
    public void Probe_and_trigger_limits_follow_the_configuration()
    {
        using var probes = new Meter(ProbeMetrics.MeterName);
        using var triggers = new Meter(TriggerMetrics.MeterName);
        var many = new MetricStreams(SelfMetricsMode.Full, probes: 40, triggers: 300, targets: 1);

        // 40 probes × 9 reasons = 360 failure series, each created at 0 from the start.
        Assert.True(many.For(probes.CreateCounter<long>("agent.probe.failures"))!.CardinalityLimit >= 40 * FailureReasons.All.Length);
        Assert.True(many.For(triggers.CreateCounter<long>("agent.trigger.firings"))!.CardinalityLimit >= 300);
        Assert.Equal(MetricStreams.FixedLimit, new MetricStreams(SelfMetricsMode.Full, 1, 1, 1).For(probes.CreateCounter<long>("agent.probe.failures"))!.CardinalityLimit);
    }

    [Fact]
    public void Target_and_runtime_limits_follow_the_configured_targets_and_Auto_keeps_the_default()
    {
        using var target = new Meter(TargetMetrics.MeterName);
        using var runtime = new Meter(RuntimeMetrics.MeterName);
        var cpu = target.CreateObservableCounter("target.process.cpu", () => 1.0);
        var gc = runtime.CreateObservableCounter("target.dotnet.gc.collections", () => 1.0);

        Assert.Equal(MetricStreams.FixedLimit, new MetricStreams(SelfMetricsMode.Full, 0, 0, targets: 1).For(cpu)!.CardinalityLimit);
        Assert.Equal(20 * MetricStreams.PerTarget, new MetricStreams(SelfMetricsMode.Full, 0, 0, targets: 20).For(gc)!.CardinalityLimit);
        Assert.Null(new MetricStreams(SelfMetricsMode.Full, 0, 0, targets: null).For(cpu));
        // One series per pid seen, restarts included: never capped here.
        Assert.Null(new MetricStreams(SelfMetricsMode.Full, 0, 0, targets: 1).For(target.CreateObservableGauge("target.process.info", () => 1)));
    }

    [Theory]
    [InlineData(DiagnosticsMetrics.MeterName)] // targets × kinds × triggers × results
    [InlineData(FederationMetrics.MeterName)] // the target's own families, any number of series
    public void Streams_without_a_fixed_label_set_keep_the_default(string meterName)
    {
        using var meter = new Meter(meterName);
        Assert.Null(new MetricStreams(SelfMetricsMode.Full, 1, 1, 1).For(meter.CreateObservableGauge("x", () => 1)));
    }
}
