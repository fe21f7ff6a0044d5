using System.Diagnostics.Metrics;
using Agent.Configuration;
using Agent.Probes;
using Agent.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Tests.Telemetry;

/// <summary>
/// agent_probe_failures_total is an observable counter over the totals the probe runners keep:
/// every (probe, reason) from 0 in FailureReason order, each failure counted under its reason.
/// </summary>
public sealed class ProbeFailuresMetricTests : IDisposable
{
    private static readonly ProbeDefinition Db = new("db", ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), true, Host: "h", Port: 1);
    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Failures_are_read_from_the_runners_totals_starting_at_zero()
    {
        var time = new FakeTimeProvider();
        var failures = new ProbeFailures([Db]);
        using var metrics = new ProbeMetrics(_meters, new ProbeResultStore(), time, [Db], new AbandonedChecks(), failures);

        var before = Collect();
        failures.Record(new ProbeResult(Db, ProbeOutcome.Failed(FailureReason.Tls, "tls: expired"), TimeSpan.Zero, time.GetUtcNow()));
        failures.Record(new ProbeResult(Db, ProbeOutcome.Failed(FailureReason.Tls, "tls: expired"), TimeSpan.Zero, time.GetUtcNow()));
        failures.Record(new ProbeResult(Db, ProbeOutcome.Ok("ok"), TimeSpan.Zero, time.GetUtcNow()));
        var after = Collect();

        Assert.Equal(FailureReasons.All.Select(r => r.Label()), before.Select(m => m.Reason));
        Assert.All(before, m => Assert.Equal(("db", "tcp", 0L), (m.Probe, m.Kind, m.Value)));
        Assert.Equal(2, after.Single(m => m.Reason == "tls").Value);
        Assert.Equal(0, after.Where(m => m.Reason != "tls").Sum(m => m.Value));
    }

    private List<(string Probe, string Kind, string Reason, long Value)> Collect()
    {
        var seen = new List<(string, string, string, long)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Name == "agent.probe.failures" && ReferenceEquals(i.Meter.Scope, _meters))
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var byKey = new Dictionary<string, string>();
            foreach (var t in tags)
            {
                byKey[t.Key] = (string)t.Value!;
            }

            seen.Add((byKey["probe"], byKey["kind"], byKey["reason"], value));
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
