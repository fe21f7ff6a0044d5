using Agent.Configuration;
using Agent.Sampling;

namespace Agent.Tests.Triggers;

/// <summary>Snapshots and definitions for trigger tests; time is whatever the test says.</summary>
internal static class TriggerFixtures
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);

    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(1);

    public static TargetSnapshot Snapshot(DateTimeOffset at, long rss = 100 << 20, double cpu = 0, long threads = 10, int pid = 42, long restarts = 0) =>
        new("app", true, new TargetSample(new ProcessIdentity(pid, (ulong)pid * 1000), "app", 1, cpu, 0, rss, null, rss * 2, null, threads, 12, 1024, 1.7e9, null, null, null, null, 0, 0), restarts, "name=app", null, at);

    public static TargetSnapshot Absent(DateTimeOffset at, long restarts = 0) => new("app", true, null, restarts, "name=app", "gone", at);

    public static TriggerDefinition Growth(double threshold, TimeSpan window, string metric = "target_process_resident_memory_bytes", TimeSpan? cooldown = null, int maxPerHour = 3) =>
        new("leak", "app", Metric(metric), TriggerCondition.Growth, threshold, TimeSpan.Zero, window, [TriggerAction.Snapshot], cooldown ?? TimeSpan.FromMinutes(10), maxPerHour);

    public static TriggerDefinition Above(string metric, double threshold, TimeSpan forDuration, TimeSpan? cooldown = null, int maxPerHour = 3, string name = "above") =>
        new(name, "app", Metric(metric), TriggerCondition.Above, threshold, forDuration, TimeSpan.Zero, [TriggerAction.Snapshot], cooldown ?? TimeSpan.FromMinutes(10), maxPerHour);

    public static TriggerMetric Metric(string name) => TriggerMetricCatalog.TryGet(name, out var m) ? m : throw new ArgumentException(name);
}
