using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Agent.Configuration;
using Agent.Runtimes;
using Agent.Sampling;
using Agent.Traffic;

namespace Agent.Telemetry;

/// <summary>
/// The target's own traffic, per target (<c>target</c> label), under the OpenTelemetry semantic
/// conventions' names with the agent's <c>target_</c> prefix: every family that describes a target
/// starts with it, so none can collide with the agent's own metrics (the agent is an ASP.NET Core app
/// too) or with the same family scraped from the app itself. Gauges and counters are instruments of
/// this meter; the three duration families are Prometheus summaries (count and sum since the agent
/// began to count, quantiles 0.5/0.95/0.99 of the last interval, absent after an interval without
/// observations), which OpenTelemetry's SDK cannot
/// produce: <see cref="WriteSummaries"/> writes them into the <c>/metrics</c> body
/// (<c>Endpoints/MetricsExposition</c>). Only current snapshots are exported
/// (<see cref="TrafficSnapshot.IsCurrentFor"/>): nothing stale, nothing of a predecessor process.
/// </summary>
internal sealed class TrafficMetrics : IDisposable
{
    public const string MeterName = "Agent.Traffic";

    /// <summary>The summary families: exported name and help, their only definition.</summary>
    private static readonly (TrafficFamily Family, string Name, string Help)[] Summaries =
    [
        (TrafficFamily.ServerDuration, "target_http_server_request_duration_seconds", "Duration of HTTP requests the target served (http.server.request.duration; gunicorn: request.duration); count and sum since the agent began to count, quantiles of the last interval"),
        (TrafficFamily.ClientDuration, "target_http_client_request_duration_seconds", "Duration of HTTP requests the target sent (http.client.request.duration); count and sum since the agent began to count, quantiles of the last interval"),
        (TrafficFamily.DnsLookupDuration, "target_dns_lookup_duration_seconds", "Duration of the target's DNS lookups (dns.lookup.duration); count and sum since the agent began to count, quantiles of the last interval"),
    ];

    private static readonly (string Quantile, Func<TrafficSeries, double> Read)[] Quantiles =
    [
        ("0.5", s => s.P50),
        ("0.95", s => s.P95),
        ("0.99", s => s.P99),
    ];

    private readonly Meter _meter;
    private readonly TrafficStore _store;
    private readonly TargetSnapshotStore _targets;
    private readonly TimeProvider _time;
    private readonly TimeSpan _staleAfter;

    public TrafficMetrics(IMeterFactory meterFactory, TrafficStore store, TargetSnapshotStore targets, TrafficSettings settings, StatsdCounters statsd, TimeProvider time, SamplingOptions sampling)
    {
        _store = store;
        _targets = targets;
        _time = time;
        _staleAfter = MetricsSession.StaleAfter(sampling.Interval);
        _meter = meterFactory.Create(MeterName, typeof(TrafficMetrics).Assembly.GetName().Version?.ToString(3));
        var m = _meter;

        m.CreateObservableCounter("target.http.server.requests", () => Points(TrafficFamily.ServerRequests), null, "HTTP requests the target answered, by status code (.NET: the request durations' count; gunicorn: request.status.<code>)");
        m.CreateObservableGauge("target.http.server.active_requests", () => Points(TrafficFamily.ServerActiveRequests), null, "HTTP requests the target is serving now (http.server.active_requests)");
        m.CreateObservableGauge("target.http.client.active_requests", () => Points(TrafficFamily.ClientActiveRequests), null, "HTTP requests the target is sending now (http.client.active_requests)");
        m.CreateObservableGauge("target.http.client.open_connections", () => Points(TrafficFamily.ClientOpenConnections), null, "Outbound HTTP connections the target holds, by state active or idle (http.client.open_connections)");
        m.CreateObservableGauge("target.kestrel.active_connections", () => Points(TrafficFamily.KestrelActiveConnections), null, "Connections the target's Kestrel server holds (kestrel.active_connections)");
        m.CreateObservableGauge("target.kestrel.queued_connections", () => Points(TrafficFamily.KestrelQueuedConnections), null, "Connections waiting to start on the target's Kestrel server (kestrel.queued_connections)");
        m.CreateObservableCounter("target.kestrel.rejected_connections", () => Points(TrafficFamily.KestrelRejectedConnections), null, "Connections Kestrel rejected over MaxConcurrentConnections, counted from when the agent attached (kestrel.rejected_connections)");
        m.CreateObservableGauge("target.kestrel.active_tls_handshakes", () => Points(TrafficFamily.KestrelActiveTlsHandshakes), null, "TLS handshakes in progress on the target's Kestrel server (kestrel.active_tls_handshakes)");
        m.CreateObservableGauge("target.gunicorn.workers", () => Points(TrafficFamily.GunicornWorkers), null, "gunicorn's worker processes, as its master last reported (StatsD gunicorn.workers)");
        m.CreateObservableCounter("target.gunicorn.log_messages", () => Points(TrafficFamily.GunicornLogMessages), null, "gunicorn's log messages by level critical, error, warning, exception (StatsD gunicorn.log.<level>)");
        if (settings.StatsdPort is not null)
        {
            m.CreateObservableCounter("agent.statsd.received", () => Received(statsd), null, "What the StatsD listener received, by result: accepted, unknown (a name the agent does not map), garbage, unattributed (lines) and oversized (datagrams)");
        }
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>The target snapshots that describe their target now.</summary>
    private IEnumerable<(string Target, TrafficSnapshot Snapshot)> Current()
    {
        var now = _time.GetUtcNow();
        foreach (var t in _targets.Current.Targets)
        {
            if (_store.Of(t.Name) is { } s && s.IsCurrentFor(t, now, _staleAfter))
            {
                yield return (t.Name, s);
            }
        }
    }

    private IEnumerable<Measurement<double>> Points(TrafficFamily family)
    {
        foreach (var (target, snapshot) in Current())
        {
            foreach (var s in snapshot.Series)
            {
                if (s.Family != family)
                {
                    continue;
                }

                var tags = new KeyValuePair<string, object?>[s.Labels.Length + 1];
                tags[0] = new("target", target);
                for (var i = 0; i < s.Labels.Length; i++)
                {
                    tags[i + 1] = new(s.Labels[i].Key, s.Labels[i].Value);
                }

                yield return new Measurement<double>(s.Value, tags);
            }
        }
    }

    private static IEnumerable<Measurement<long>> Received(StatsdCounters counters)
    {
        foreach (var result in Enum.GetValues<StatsdResult>())
        {
            yield return new Measurement<long>(counters[result], new KeyValuePair<string, object?>("result", result.ToString().ToLowerInvariant()));
        }
    }

    /// <summary>Writes the summary families in the Prometheus text format (identical in OpenMetrics); nothing while no target has any.</summary>
    public void WriteSummaries(StringBuilder into)
    {
        var current = Current().ToList();
        foreach (var (family, name, help) in Summaries)
        {
            var header = false;
            foreach (var (target, snapshot) in current)
            {
                foreach (var s in snapshot.Series)
                {
                    if (s.Family != family)
                    {
                        continue;
                    }

                    if (!header)
                    {
                        header = true;
                        into.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
                            .Append("# TYPE ").Append(name).Append(" summary\n");
                    }

                    foreach (var (quantile, read) in Quantiles)
                    {
                        // An interval without observations has no quantile: no sample (not NaN, which
                        // would poison avg_over_time in the shipped latency rule).
                        if (!double.IsNaN(read(s)))
                        {
                            Sample(into, name, target, s.Labels, quantile, read(s));
                        }
                    }

                    Sample(into, name + "_sum", target, s.Labels, null, s.Sum);
                    Sample(into, name + "_count", target, s.Labels, null, s.Count);
                }
            }
        }
    }

    private static void Sample(StringBuilder into, string name, string target, KeyValuePair<string, string>[] labels, string? quantile, double value)
    {
        into.Append(name).Append("{target=\"");
        Escape(into, target);
        into.Append('"');
        foreach (var (k, v) in labels)
        {
            into.Append(',').Append(k).Append("=\"");
            Escape(into, v);
            into.Append('"');
        }

        if (quantile is not null)
        {
            into.Append(",quantile=\"").Append(quantile).Append('"');
        }

        into.Append("} ").Append(Format(value)).Append('\n');
    }

    private static string Format(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The text format's escapes in a label value: backslash, double quote, newline.</summary>
    private static void Escape(StringBuilder into, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => into.Append(@"\\"),
                '"' => into.Append("\\\""),
                '\n' => into.Append(@"\n"),
                _ => into.Append(c),
            };
        }
    }
}
