using Agent.Configuration;
using Agent.History;
using Agent.Probes;
using Agent.Procfs;
using Agent.Profiling;
using Agent.Readiness;
using Agent.Sampling;

namespace Agent.Status;

/// <summary>
/// Builds the one model behind the page, the terminal summary and <c>/api/status</c> from the
/// stores the sampling loop and the probes fill. Reads only: a request never waits on a target or
/// a dependency.
/// </summary>
internal sealed class StatusBuilder(
    HistoryStore history,
    TargetSnapshotStore targets,
    ProbeResultStore probes,
    ReadinessEvaluator readiness,
    SamplingSchedule schedule,
    TimeProvider time,
    ProfileStore? profiles = null) // only with diagnostics on: profiles show code names
{
    public static readonly string Version = typeof(StatusBuilder).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>Events on the page and in the API: the rest stay in the log's ring.</summary>
    public const int MaxEvents = 50;

    public StatusResponse Build()
    {
        var now = time.GetUtcNow();
        var since = (now - HistoryWindow.Span).ToUnixTimeMilliseconds();
        var ready = readiness.Evaluate(targets.Current, probes.Current, targets.HasTicked, now).Body.Status;

        var current = targets.Current;
        var targetList = history.Targets
            .Where(t => (t.Latest ?? current.Find(t.Name)) is not null)
            .Select(t => WithTraffic(Target(t.Name, t.Latest ?? current.Find(t.Name)!, t.Copy(), since, now), t, since) with { Container = Container(t.Latest ?? current.Find(t.Name)!, t.CopyContainer(), since), Profiles = Profiles(t.Name) })
            .ToList();
        foreach (var t in current.Targets)
        {
            if (!targetList.Any(x => x.Name == t.Name))
            {
                // Before its first tick: the selector and "not sampled yet", without history.
                targetList.Add(Target(t.Name, t, ([], []), since, now));
            }
        }

        var results = probes.Current;
        var probeList = history.Probes.Select(p => Probe(p, results.GetValueOrDefault(p.Probe.Name), since, now)).ToList();
        var events = history.Events.Newest(MaxEvents).Select(e => new EventEntry(e.At, e.KindLabel, e.Subject, e.Detail, e.IsBad)).ToList();
        return new StatusResponse(Version, now, schedule.Interval.TotalSeconds, ready, targetList, probeList, events);
    }

    private static TargetStatus Target(string name, TargetSnapshot snapshot, (long[] Times, TargetPoint[] Points) copy, long since, DateTimeOffset now)
    {
        var s = snapshot.Sample;
        DateTimeOffset? started = s is null ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)(s.StartTimeSeconds * 1000));
        return new TargetStatus(
            name,
            snapshot.Selector,
            s is not null,
            s?.Identity.Pid,
            s?.Name,
            s?.ProcessCount,
            started,
            started is { } st ? Math.Round(Math.Max(0, (now - st).TotalSeconds), 1) : null,
            snapshot.Restarts,
            s is null ? snapshot.Problem : null,
            Series(copy.Times, copy.Points, since));
    }

    private static ContainerStatus? Container(TargetSnapshot snapshot, (long[] Times, ContainerPoint[] Points) copy, long since)
    {
        if (snapshot.Container is not { } c)
        {
            return null;
        }

        var v = c.Values;
        var first = Array.FindIndex(copy.Times, t => t >= since);
        var n = first < 0 ? 0 : copy.Times.Length - first;
        var time = new long[n];
        var workingSet = new long?[n];
        var limit = new long?[n];
        var throttled = new double?[n];
        var cpu = new double?[n];
        var memory = new double?[n];
        for (var i = 0; i < n; i++)
        {
            var p = copy.Points[first + i];
            time[i] = copy.Times[first + i];
            workingSet[i] = p.WorkingSetKiB == ContainerPoint.Unknown ? null : p.WorkingSetKiB * 1024L;
            limit[i] = p.LimitKiB == ContainerPoint.Unknown ? null : p.LimitKiB * 1024L;
            throttled[i] = Half.IsNaN(p.ThrottledRatio) ? null : Math.Round((double)p.ThrottledRatio, 4);
            cpu[i] = Half.IsNaN(p.CpuPressure) ? null : Math.Round((double)p.CpuPressure, 4);
            memory[i] = Half.IsNaN(p.MemoryPressure) ? null : Math.Round((double)p.MemoryPressure, 4);
        }

        var last = snapshot.Oom.Last is { } k ? new EventEntry(k.At, "oom-killed", snapshot.Name, k.Describe(), true) : null;
        return new ContainerStatus
        {
            Cgroup = c.Cgroup,
            Version = c.Version,
            Route = c.Route.Label(),
            WorkingSetBytes = v.WorkingSet,
            UsageBytes = v.MemoryUsage,
            LimitBytes = v.MemoryUnlimited ? null : v.MemoryLimit,
            LimitRatio = v.WorkingSetRatio,
            CpuLimitCores = v.CpuMax.Cores,
            ThrottledRatio = c.ThrottledRatio,
            OomKills = c.OomKills,
            OomKilledRestarts = snapshot.Oom.KilledRestarts,
            LastOomKill = last,
            History = new ContainerSeries { Time = time, WorkingSetBytes = workingSet, LimitBytes = limit, ThrottledRatio = throttled, CpuPressure = cpu, MemoryPressure = memory },
        };
    }

    private static TargetSeries Series(long[] times, TargetPoint[] points, long since)
    {
        var first = Array.FindIndex(times, t => t >= since);
        var n = first < 0 ? 0 : times.Length - first;
        var time = new long[n];
        var cpu = new double?[n];
        var rss = new long[n];
        var threads = new long[n];
        var fds = new long?[n];
        var heap = new long?[n];
        var pause = new double?[n];
        bool anyHeap = false, anyPause = false;
        for (var i = 0; i < n; i++)
        {
            var p = points[first + i];
            time[i] = times[first + i];
            cpu[i] = float.IsNaN(p.CpuCores) ? null : Math.Round(p.CpuCores, 4);
            rss[i] = p.RssKiB * 1024L;
            threads[i] = p.Threads;
            fds[i] = p.OpenFds < 0 ? null : p.OpenFds;
            heap[i] = float.IsNaN(p.HeapBytes) ? null : (long)p.HeapBytes;
            pause[i] = float.IsNaN(p.GcPauseRatio) ? null : Math.Round(p.GcPauseRatio, 5);
            anyHeap |= heap[i] is not null;
            anyPause |= pause[i] is not null;
        }

        return new TargetSeries(time, cpu, rss, threads, fds, anyHeap ? heap : null, anyPause ? pause : null);
    }

    /// <summary>Adds the target's traffic columns when it served HTTP in the window.</summary>
    /// <summary>The last kept window and the last 15 minutes merged, as flame graphs; null without profiles.</summary>
    private List<FlameSection>? Profiles(string target)
    {
        if (profiles is null || profiles.Latest(target) is not { } last)
        {
            return null;
        }

        var kept = profiles.Since(target, ProfilingSettings.Kept);
        var sections = new List<FlameSection> { Section("last", $"last window ({last.Duration.TotalSeconds:F0} s)", last) };
        if (kept.Count > 1)
        {
            var merged = CpuProfile.Merge(kept);
            sections.Add(Section("kept", $"last 15 minutes ({kept.Count} windows)", merged));
        }

        return sections;
    }

    private static FlameSection Section(string key, string title, CpuProfile p) =>
        new(key, title, Math.Round(p.Duration.TotalSeconds, 1), Math.Round(p.TotalSamples * p.Period.TotalSeconds, 2), FlameGraph.Build(p));

    private static TargetStatus WithTraffic(TargetStatus status, TargetHistory history, long since)
    {
        var (times, points) = history.CopyTraffic();
        var first = Array.FindIndex(times, t => t >= since);
        if (first < 0)
        {
            return status;
        }

        static double? Value(float v, int digits) => float.IsNaN(v) ? null : Math.Round(v, digits);
        var window = points[first..];
        var traffic = new TrafficColumns(
            times[first..],
            [.. window.Select(p => Value(p.RequestsPerSecond, 2))],
            [.. window.Select(p => Value(p.ErrorShare, 4))],
            [.. window.Select(p => Value(p.P95Seconds, 5))],
            [.. window.Select(p => Value(p.P99Seconds, 5))]);
        return status with { History = status.History with { Traffic = traffic } };
    }

    private static ProbeStatus Probe(ProbeHistory history, ProbeResult? result, long since, DateTimeOffset now)
    {
        var (times, points) = history.Copy();
        var first = Array.FindIndex(times, t => t >= since);
        var n = first < 0 ? 0 : times.Length - first;
        var series = new ProbeSeries(
            times[^n..],
            points[^n..].Select(p => Math.Round(p.LatencyMs, 2)).ToArray(),
            points[^n..].Select(p => p.State.Reason()).ToArray());
        var (streak, stateSince) = history.Streak();
        var p = history.Probe;
        if (result is null)
        {
            return new ProbeStatus(p.Name, p.KindLabel, p.Critical, "pending", null, "no result yet", null, null, 0, null, series);
        }

        var age = result.Age(now);
        var stale = !result.IsFresh(now);
        var state = stale ? "stale" : result.Outcome.Healthy ? "ok" : "failing";
        return new ProbeStatus(
            p.Name,
            p.KindLabel,
            p.Critical,
            state,
            stale ? FailureReasons.Stale : result.Outcome.Reason?.Label(),
            result.Outcome.Description,
            Math.Round(age.TotalSeconds, 1),
            Math.Round(result.Duration.TotalMilliseconds, 2),
            streak,
            streak > 0 ? stateSince : null,
            series);
    }
}
