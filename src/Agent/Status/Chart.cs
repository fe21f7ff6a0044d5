namespace Agent.Status;

/// <summary>One series of a target as the page draws it: its label, how its values read, and the values (null = unknown); <see cref="Times"/> when they are not the target's (traffic).</summary>
internal sealed record Chart(string Key, string Title, Func<double, string> Show, double?[] Values, double Floor, long[]? Times = null)
{
    /// <summary>The charts of a target: CPU, memory, threads, fds, and the .NET ones when the runtime reported.</summary>
    public static IReadOnlyList<Chart> Of(TargetSeries h)
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
            charts.Add(new("requests", "Requests/s", Format.Rate, t.RequestsPerSecond, 1, t.Time));
            charts.Add(new("errors", "Errors (share answered 5xx)", Format.Percent, t.ErrorShare, 0.01, t.Time));
            charts.Add(new("p95", "Latency p95 (slowest route)", Format.Latency, t.P95Seconds, 0.01, t.Time));
            charts.Add(new("p99", "Latency p99 (slowest route)", Format.Latency, t.P99Seconds, 0.01, t.Time));
        }

        return charts;
    }

    public double? Latest => Values.LastOrDefault(v => v is not null);

    public double? Peak => Values.Max();
}
