namespace Agent.Status;

/// <summary>One series of a target as the page draws it: its label, how its values read, and the values (null = unknown).</summary>
internal sealed record Chart(string Key, string Title, Func<double, string> Show, double?[] Values, double Floor)
{
    /// <summary>The times of <see cref="Values"/> when they are not the target's own (the traffic's and the cgroup's series).</summary>
    public long[]? Times { get; init; }

    /// <summary>A reference drawn as a line over the series (the memory limit); null where there is none.</summary>
    public double?[]? Line { get; init; }

    /// <summary>Words after the latest value, e.g. <c>of 512 MiB (80 %)</c>.</summary>
    public string? Note { get; init; }

    /// <summary>
    /// The charts of a target: CPU, memory, threads, fds, the .NET ones when the runtime reported,
    /// its traffic when it serves any, and its cgroup's: working set against the limit, throttling
    /// and pressure when read.
    /// </summary>
    public static IReadOnlyList<Chart> Of(TargetSeries h, ContainerStatus? container = null)
    {
        var charts = new List<Chart>
        {
            // Floors keep an idle series flat at the bottom instead of magnifying noise.
            new("cpu", "CPU (share of a core)", Format.Percent, h.CpuCores, 0.01),
            new("rss", "Memory (resident)", Format.Bytes, h.RssBytes.Select(v => (double?)v).ToArray(), 1 << 20),
            new("threads", "Threads", Format.Count, h.Threads.Select(v => (double?)v).ToArray(), 1),
        };
        if (h.OpenFds.Any(v => v is not null))
        {
            charts.Add(new("fds", "Open files", Format.Count, h.OpenFds.Select(v => (double?)v).ToArray(), 1));
        }

        if (h.HeapBytes is { } heap)
        {
            charts.Add(new("heap", ".NET GC heap", Format.Bytes, heap.Select(v => (double?)v).ToArray(), 1 << 20));
        }

        if (h.GcPauseRatio is { } pause)
        {
            charts.Add(new("gcpause", ".NET GC pause (share of time)", Format.Percent, pause, 0.001));
        }

        if (h.Traffic is { } t)
        {
            // Requests, errors and latency: the first row of a service's dashboard, here per target.
            charts.Add(new("requests", "Requests/s", Format.Rate, t.RequestsPerSecond, 1) { Times = t.Time });
            charts.Add(new("errors", "Errors (share answered 5xx)", Format.Percent, t.ErrorShare, 0.01) { Times = t.Time });
            charts.Add(new("p95", "Latency p95 (slowest route)", Format.Latency, t.P95Seconds, 0.01) { Times = t.Time });
            charts.Add(new("p99", "Latency p99 (slowest route)", Format.Latency, t.P99Seconds, 0.01) { Times = t.Time });
        }

        if (container is { History: { Time.Length: > 0 } c } status)
        {
            var limit = c.LimitBytes.Any(v => v is not null) ? c.LimitBytes.Select(v => (double?)v).ToArray() : null;
            charts.Add(new("cgmem", "Container memory (working set) and its limit", Format.Bytes, c.WorkingSetBytes.Select(v => (double?)v).ToArray(), 1 << 20)
            {
                Times = c.Time,
                Line = limit,
                Note = Format.MemoryOfLimit(status.WorkingSetBytes, status.LimitBytes, withWorkingSet: false),
            });
            AddIfAny(charts, c, "throttle", "CPU throttled (share of CFS periods)", c.ThrottledRatio, 0.01);
            AddIfAny(charts, c, "cpupsi", "CPU pressure (share of time waiting)", c.CpuPressure, 0.01);
            AddIfAny(charts, c, "mempsi", "Memory pressure (share of time waiting)", c.MemoryPressure, 0.01);
        }

        return charts;
    }

    public double? Latest => Values.LastOrDefault(v => v is not null);

    public double? Peak => Values.Max();

    private static void AddIfAny(List<Chart> charts, ContainerSeries c, string key, string title, double?[] values, double floor)
    {
        if (values.Any(v => v is not null))
        {
            charts.Add(new(key, title, Format.Percent, values, floor) { Times = c.Time });
        }
    }
}
