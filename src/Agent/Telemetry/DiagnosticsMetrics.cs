using System.Diagnostics.Metrics;
using Agent.Diagnostics;

namespace Agent.Telemetry;

/// <summary>
/// The diagnostics feature's instruments: captures by outcome and the disk the artifacts take.
/// Prometheus names: <c>agent_diagnostics_captures_total{target,kind,trigger,result}</c>
/// (result = done | failed | refused) and <c>agent_diagnostics_artifacts_bytes</c>.
/// </summary>
internal sealed class DiagnosticsMetrics : IDisposable
{
    public const string MeterName = "Agent.Diagnostics";

    private readonly Meter _meter;

    private readonly CaptureTotals _captures;

    public DiagnosticsMetrics(IMeterFactory meterFactory, ArtifactStore artifacts, CaptureTotals captures)
    {
        _captures = captures;
        _meter = meterFactory.Create(MeterName, typeof(DiagnosticsMetrics).Assembly.GetName().Version?.ToString(3));

        // agent_diagnostics_captures_total{target,kind,trigger,result}
        _meter.CreateObservableCounter("agent.diagnostics.captures", Captures, null, "Diagnostic captures by target, kind, trigger and result (done, failed, refused)");

        // agent_diagnostics_artifacts_bytes
        _meter.CreateObservableGauge("agent.diagnostics.artifacts", () => artifacts.TotalBytes, "By", "Bytes of all artifacts in Diagnostics:Directory");
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Captures()
    {
        foreach (var ((target, kind, trigger, result), count) in _captures.Snapshot())
        {
            yield return new Measurement<long>(count, new("target", target), new("kind", kind), new("trigger", trigger), new("result", result));
        }
    }
}
