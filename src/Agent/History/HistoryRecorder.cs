using System.Collections.Immutable;
using System.Globalization;
using Agent.Probes;
using Agent.Runtimes;
using Agent.Sampling;

namespace Agent.History;

/// <summary>
/// Turns each sampling tick into history: a point per target, each probe's new result, and the
/// events that the change since the previous tick means. Called only from the sampling loop.
/// </summary>
internal sealed class HistoryRecorder(HistoryStore store, Traffic.TrafficStore? traffic = null, SamplingSchedule? schedule = null)
{
    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);

    // The store's lookup allocates (ImmutableDictionary with a comparer); the tick must not.
    private readonly Dictionary<string, TargetHistory> _targets = new(StringComparer.Ordinal);

    /// <summary>One tick: every target (the .NET runtime's counters belong to the primary one), then the probes.</summary>
    public void Record(SamplingSnapshot snapshot, DotnetRuntimeSnapshot? runtime, ImmutableDictionary<string, ProbeResult> probes)
    {
        var primary = snapshot.Primary;
        foreach (var t in snapshot.Targets)
        {
            RecordTarget(t.Name, t, ReferenceEquals(t, primary) ? runtime : null);
        }

        RecordProbes(probes);
    }

    public void Record(string targetName, TargetSnapshot snapshot, DotnetRuntimeSnapshot? runtime, ImmutableDictionary<string, ProbeResult> probes)
    {
        RecordTarget(targetName, snapshot, runtime);
        RecordProbes(probes);
    }

    private void RecordTarget(string targetName, TargetSnapshot snapshot, DotnetRuntimeSnapshot? runtime)
    {
        if (!_targets.TryGetValue(targetName, out var target))
        {
            target = store.Target(targetName);
            _targets[targetName] = target;
        }

        target.Record(snapshot, runtime, Traffic(targetName, snapshot));
        TargetEvents(targetName, snapshot);
    }

    /// <summary>The target's last traffic interval, while its traffic is current (a .NET session's of this very process).</summary>
    private Traffic.TrafficInterval? Traffic(string targetName, TargetSnapshot snapshot) =>
        traffic?.Of(targetName) is { } t && t.IsCurrentFor(snapshot, snapshot.TakenAt, MetricsSession.StaleAfter(schedule?.Interval ?? TimeSpan.FromSeconds(1))) && t.ServesHttp
            ? t.Last
            : null;

    private void RecordProbes(ImmutableDictionary<string, ProbeResult> probes)
    {
        foreach (var history in store.Probes)
        {
            if (probes.TryGetValue(history.Probe.Name, out var result))
            {
                ProbeEvents(history, result);
            }
        }
    }

    private void TargetEvents(string targetName, TargetSnapshot snapshot)
    {
        _seen.TryGetValue(targetName, out var before);
        var at = snapshot.TakenAt;
        if (snapshot.Oom.Last is { } kill && kill.Sequence > before.OomSequence)
        {
            Add(kill.At, HistoryEventKind.OomKilled, targetName, kill.Describe());
            before = before with { OomSequence = kill.Sequence };
            _seen[targetName] = before;
        }

        if (snapshot.Sample is { } sample)
        {
            if (before.Present && before.Last == sample.Identity)
            {
                return;
            }

            if (before.Last is { } old && old != sample.Identity && snapshot.Restarts > before.Restarts)
            {
                Add(at, HistoryEventKind.TargetRestarted, targetName, string.Create(CultureInfo.InvariantCulture, $"pid {old.Pid} ({before.Name}) replaced by pid {sample.Identity.Pid} ({sample.Name}); {snapshot.Restarts} restarts so far"));
            }
            else if (before.Last is { } lost && lost != sample.Identity)
            {
                // A continuation (a daemon's child, a crashed master's orphan): no restart counted.
                Add(at, HistoryEventKind.TargetFound, targetName, string.Create(CultureInfo.InvariantCulture, $"pid {sample.Identity.Pid} ({sample.Name}) continues pid {lost.Pid} ({before.Name}); no restart"));
            }
            else
            {
                Add(at, HistoryEventKind.TargetFound, targetName, $"pid {sample.Identity.Pid} ({sample.Name}) selected by {snapshot.Selector}");
            }

            _seen[targetName] = new Seen(sample.Identity, true, sample.Name, snapshot.Restarts, before.OomSequence);
        }
        else if (before.Present)
        {
            Add(at, HistoryEventKind.TargetLost, targetName, string.Create(CultureInfo.InvariantCulture, $"pid {before.Last?.Pid} ({before.Name}) is gone"));
            _seen[targetName] = before with { Present = false };
        }
    }

    private void ProbeEvents(ProbeHistory history, ProbeResult result)
    {
        if (!history.Record(result, out var previous, out var current) || previous == current)
        {
            return;
        }

        var name = history.Probe.Name;
        var outcome = result.Outcome;
        var (kind, detail) = (previous, current) switch
        {
            (_, ProbeState.Ok) => (HistoryEventKind.ProbeRecovered, $"healthy again after {previous.Reason()}: {outcome.Description}"),
            (ProbeState.Ok, _) => (HistoryEventKind.ProbeFailed, WithReason(current, outcome.Description)),
            _ => (HistoryEventKind.ProbeChanged, $"{previous.Reason()} → {WithReason(current, outcome.Description)}"),
        };
        Add(result.CompletedAt, kind, name, detail);
    }

    /// <summary>"refused: …" once: classified descriptions usually start with their reason already.</summary>
    private static string WithReason(ProbeState state, string description)
    {
        var reason = state.Reason()!;
        return description.StartsWith(reason + ":", StringComparison.Ordinal) ? description : $"{reason}: {description}";
    }

    private void Add(DateTimeOffset at, HistoryEventKind kind, string subject, string detail) => store.Events.Add(new HistoryEvent(at, kind, subject, detail));

    /// <summary>What the previous ticks showed of one target: the last identity (kept while it is absent) and whether it is present.</summary>
    private readonly record struct Seen(ProcessIdentity? Last, bool Present, string Name, long Restarts = 0, long OomSequence = 0);
}
