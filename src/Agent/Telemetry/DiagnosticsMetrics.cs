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
    private readonly Counter<long> _captures;

    public DiagnosticsMetrics(IMeterFactory meterFactory, Func<long> artifactBytes)
    {
        _meter = meterFactory.Create(MeterName, typeof(DiagnosticsMetrics).Assembly.GetName().Version?.ToString(3));

        // agent_diagnostics_captures_total{target,kind,trigger,result}
        _captures = _meter.CreateCounter<long>("agent.diagnostics.captures", null, "Diagnostic captures by target, kind, trigger and result (done, failed, refused)");

        // agent_diagnostics_artifacts_bytes
        _meter.CreateObservableGauge("agent.diagnostics.artifacts", artifactBytes, "By", "Bytes of all artifacts in Diagnostics:Directory");
    }

    public void Captured(string target, ArtifactKind kind, string trigger, string result) =>
        _captures.Add(1, new("target", target), new("kind", ArtifactStore.Name(kind)), new("trigger", trigger), new("result", result));

    public void Dispose() => _meter.Dispose();
}
