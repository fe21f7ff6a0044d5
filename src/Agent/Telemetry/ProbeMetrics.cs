using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Probes;

namespace Agent.Telemetry;

/// <summary>
/// blackbox_exporter-style probe metrics: <c>agent_probe_success{probe,kind}</c>,
/// <c>agent_probe_duration_seconds{probe,kind}</c>, <c>agent_probe_failures_total{probe,kind,reason}</c>,
/// and <c>agent_probe_abandoned_checks{probe,kind}</c> (checks cut at their deadline whose client
/// ignored the cancellation and still runs; at most <see cref="ProbeRunner.MaxAbandoned"/> each).
/// A stale result (older than 3 × Period + Timeout) reports success 0. Failure series start at 0.
/// </summary>
internal sealed class ProbeMetrics : IDisposable
{
    public const string MeterName = "Agent.Probes";

    private readonly Meter _meter;
    private readonly ProbeFailures _failures;
    private readonly ProbeResultStore _store;
    private readonly TimeProvider _time;
    private readonly AbandonedChecks _abandoned;
    private readonly IReadOnlyList<ProbeDefinition> _probes;

    public ProbeMetrics(IMeterFactory meterFactory, ProbeResultStore store, TimeProvider time, IReadOnlyList<ProbeDefinition> probes, AbandonedChecks abandoned, ProbeFailures failures)
    {
        _failures = failures;
        _store = store;
        _time = time;
        _probes = probes;
        _abandoned = abandoned;
        _meter = meterFactory.Create(MeterName, typeof(ProbeMetrics).Assembly.GetName().Version?.ToString(3));
        _meter.CreateObservableGauge("agent.probe.success", Success, null, "1 if the probe's latest check succeeded and is not stale, else 0");
        _meter.CreateObservableGauge("agent.probe.duration", Duration, "s", "Duration of the probe's latest check");
        _meter.CreateObservableGauge("agent.probe.tls_cert_expiry", CertificateExpiry, "s", "Seconds until the notAfter of the dependency's TLS leaf certificate as last seen (negative once expired)");
        _meter.CreateObservableGauge("agent.probe.abandoned_checks", Abandoned, null, "Checks cut at their deadline that still run because their client ignored the cancellation (at most 2 per probe; none are started beyond that)");
        // The runners count (ProbeFailures: every series from the start at 0); this only reads.
        _meter.CreateObservableCounter("agent.probe.failures", Failures, null, "Failed checks by reason (timeout, refused, dns, auth, protocol, tls, http_status, unhealthy, error)");
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string k, string v) => new(k, v);

    private IEnumerable<Measurement<int>> Success()
    {
        var now = _time.GetUtcNow();
        foreach (var r in _store.Current.Values)
        {
            yield return new Measurement<int>(r.Succeeded(now) ? 1 : 0, Tag("probe", r.Probe.Name), Tag("kind", r.Probe.KindLabel));
        }
    }

    /// <summary>
    /// blackbox_exporter's probe_ssl_earliest_cert_expiry as a remaining duration: an alert reads
    /// "less than 14 days" directly, without subtracting time() in PromQL.
    /// </summary>
    private IEnumerable<Measurement<double>> CertificateExpiry()
    {
        var now = _time.GetUtcNow();
        foreach (var r in _store.Current.Values)
        {
            if (r.Outcome.CertificateNotAfter is { } notAfter)
            {
                yield return new Measurement<double>((notAfter - now).TotalSeconds, Tag("probe", r.Probe.Name), Tag("kind", r.Probe.KindLabel));
            }
        }
    }

    private IEnumerable<Measurement<long>> Failures()
    {
        foreach (var ((probe, kind, reason), count) in _failures.Snapshot())
        {
            yield return new Measurement<long>(count, Tag("probe", probe), Tag("kind", kind), Tag("reason", reason));
        }
    }

    private IEnumerable<Measurement<int>> Abandoned()
    {
        foreach (var p in _probes)
        {
            yield return new Measurement<int>(_abandoned.Of(p.Name), Tag("probe", p.Name), Tag("kind", p.KindLabel));
        }
    }

    private IEnumerable<Measurement<double>> Duration()
    {
        foreach (var r in _store.Current.Values)
        {
            yield return new Measurement<double>(r.Duration.TotalSeconds, Tag("probe", r.Probe.Name), Tag("kind", r.Probe.KindLabel));
        }
    }
}
