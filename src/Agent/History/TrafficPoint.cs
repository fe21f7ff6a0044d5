using System.Runtime.InteropServices;

namespace Agent.History;

/// <summary>
/// One point of a target's traffic history, 16 bytes, kept in a ring of its own that exists only
/// once the target has traffic (a target without any costs nothing). NaN where the interval had no
/// request. A downsampled bucket keeps each value's peak.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct TrafficPoint(float requestsPerSecond, float errorShare, float p95Seconds, float p99Seconds) : IMergeable<TrafficPoint>
{
    public float RequestsPerSecond { get; } = requestsPerSecond;

    /// <summary>Share (0–1) of the interval's requests answered 5xx.</summary>
    public float ErrorShare { get; } = errorShare;

    /// <summary>The slowest route's 95th percentile of the interval.</summary>
    public float P95Seconds { get; } = p95Seconds;

    public float P99Seconds { get; } = p99Seconds;

    public static TrafficPoint Merge(in TrafficPoint older, in TrafficPoint newer) => new(
        Peak(older.RequestsPerSecond, newer.RequestsPerSecond),
        Peak(older.ErrorShare, newer.ErrorShare),
        Peak(older.P95Seconds, newer.P95Seconds),
        Peak(older.P99Seconds, newer.P99Seconds));

    private static float Peak(float a, float b) => float.IsNaN(a) ? b : float.IsNaN(b) ? a : Math.Max(a, b);
}
