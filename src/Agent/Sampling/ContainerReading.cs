using Agent.Containers;

namespace Agent.Sampling;

/// <summary>Adds the container view (<see cref="ContainerSampler"/>) to every target of a tick's snapshot.</summary>
internal static class ContainerReading
{
    public static SamplingSnapshot Attach(this ContainerSampler containers, SamplingSnapshot snapshot)
    {
        var targets = new TargetSnapshot[snapshot.Targets.Count];
        for (var i = 0; i < targets.Length; i++)
        {
            var t = snapshot.Targets[i];
            var s = t.Sample;
            var (sample, oom) = containers.Tick(t.Name, s?.Identity.Pid, s?.Identity.StartTimeTicks ?? 0, s?.Name, t.Restarts, t.TakenAt);
            targets[i] = sample is null && ReferenceEquals(oom, OomState.None) ? t : t with { Container = sample, Oom = oom };
        }

        return snapshot with { Targets = targets };
    }
}
