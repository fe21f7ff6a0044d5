using Agent.Common;
using Agent.Configuration;

namespace Agent.Probes;

/// <summary>
/// Failed checks by probe, kind and reason since start: what <c>agent_probe_failures_total</c>
/// reports. Every (probe, reason) exists from the start at 0, so rate() and increase() see the
/// first failure instead of a series appearing out of nowhere.
/// </summary>
internal sealed class ProbeFailures : Totals<(string Probe, string Kind, string Reason)>
{
    public ProbeFailures(IReadOnlyList<ProbeDefinition> probes)
    {
        foreach (var p in probes)
        {
            foreach (var reason in FailureReasons.All)
            {
                Add((p.Name, p.KindLabel, reason.Label()), 0);
            }
        }
    }

    public void Record(ProbeResult result)
    {
        if (!result.Outcome.Healthy)
        {
            Add((result.Probe.Name, result.Probe.KindLabel, (result.Outcome.Reason ?? FailureReason.Error).Label()), 1);
        }
    }
}
