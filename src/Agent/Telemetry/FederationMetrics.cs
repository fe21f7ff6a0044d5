using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.Telemetry;

/// <summary>
/// The instrument registry of federation: the families re-exposed from each target's own
/// endpoint (<c>target_&lt;scraped name&gt;</c>, chosen by <see cref="FederationSelector"/>). Their
/// names and help texts are the target's, so instruments are created as families first appear
/// (on the federation loop's thread, when a snapshot is published) and never removed: a family
/// missing from a scrape, or a failed scrape, simply reports no points (nothing stale).
/// </summary>
internal sealed class FederationMetrics : IDisposable
{
    public const string MeterName = "Agent.Federation";

    private readonly Meter _meter;
    private readonly RuntimeStore _store;
    private readonly TargetSnapshotStore _targets;
    private readonly HashSet<string> _instruments = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private readonly IReadOnlyList<FederationEndpoint> _endpoints;

    public FederationMetrics(IMeterFactory meterFactory, RuntimeStore store, TargetSnapshotStore targets, IReadOnlyList<FederationEndpoint> endpoints)
    {
        _store = store;
        _targets = targets;
        _endpoints = endpoints;
        _meter = meterFactory.Create(MeterName, typeof(FederationMetrics).Assembly.GetName().Version?.ToString(3));
        store.FederatedPublished += Register;
        foreach (var snapshot in store.Federated.Values)
        {
            Register(snapshot);
        }
    }

    public void Dispose()
    {
        _store.FederatedPublished -= Register;
        _meter.Dispose();
    }

    private void Register(FederatedSnapshot snapshot)
    {
        foreach (var family in snapshot.Families.Values)
        {
            lock (_lock)
            {
                if (!_instruments.Add(family.Instrument))
                {
                    continue;
                }
            }

            var name = family.Instrument;
            if (RuntimeMetrics.PythonGcFamilies.Contains(name))
            {
                continue; // exported by RuntimeMetrics, beside the Python hook's values of the same family
            }

            // target_<name>_total (counter) or target_<name> (gauge): the target's own family, renamed.
            if (family.Counter)
            {
                _meter.CreateObservableCounter(name, () => Points(name), null, family.Help);
            }
            else
            {
                _meter.CreateObservableGauge(name, () => Points(name), null, family.Help);
            }
        }
    }

    private IEnumerable<Measurement<double>> Points(string instrument)
    {
        var snapshot = _targets.Current;
        foreach (var endpoint in _endpoints)
        {
            if (!_store.FederatedOf(endpoint.Key).Families.TryGetValue(instrument, out var family))
            {
                continue;
            }

            // Each endpoint's series carry its own target's label, and a label of the same name
            // from the target itself is kept as exported_target (Prometheus' rule).
            var target = new KeyValuePair<string, object?>("target", endpoint.TargetOf(snapshot));
            foreach (var p in family.Points)
            {
                var labels = new KeyValuePair<string, object?>[p.Labels.Count + 1];
                labels[0] = target;
                for (var i = 0; i < p.Labels.Count; i++)
                {
                    labels[i + 1] = p.Labels[i].Key == "target" ? new("exported_target", p.Labels[i].Value) : p.Labels[i];
                }

                yield return new Measurement<double>(p.Value, labels);
            }
        }
    }
}
