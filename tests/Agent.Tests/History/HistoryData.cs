using Agent.Configuration;
using Agent.Probes;
using Agent.Sampling;

namespace Agent.Tests.History;

/// <summary>Snapshots and probe results built from chosen numbers: the expected values are the inputs.</summary>
internal static class HistoryData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);

    public static TargetSample Sample(int pid, double cpuSeconds, long rssBytes = 64 << 20, long threads = 7, long? fds = 12, ulong start = 1000, string name = "app") =>
        new(new ProcessIdentity(pid, start), name, 1, cpuSeconds, 0, rssBytes, null, 1 << 30, null, threads, fds, 1024, 1.7e9, null, null, null, null, 0, 0);

    public static TargetSnapshot Snapshot(TargetSample? sample, TimeSpan at, long restarts = 0) =>
        new("app", true, sample, restarts, "name=app", sample is null ? "no process named app" : null, T0 + at);

    public static ProbeDefinition Probe(string name, TimeSpan? period = null) =>
        new(name, ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), period ?? TimeSpan.FromSeconds(1), true, Host: "127.0.0.1", Port: 1);

    public static ProbeResult Result(ProbeDefinition probe, TimeSpan at, FailureReason? reason = null, double latencyMs = 2) =>
        new(probe, reason is null ? ProbeOutcome.Ok("PONG") : ProbeOutcome.Failed(reason.Value, $"{reason.Value.Label()}: it failed"), TimeSpan.FromMilliseconds(latencyMs), T0 + at);
}
