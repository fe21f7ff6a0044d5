using System.Runtime.InteropServices;

namespace Agent.History;

/// <summary>
/// One probe result in history, 8 bytes (the time is kept by the ring): its latency and how it
/// ended. A downsampled bucket keeps its worst result: a failure is never averaged away.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly struct ProbePoint(float latencyMs, ProbeState state) : IMergeable<ProbePoint>
{
    public float LatencyMs { get; } = latencyMs;

    public ProbeState State { get; } = state;

    public static ProbePoint Merge(in ProbePoint older, in ProbePoint newer) =>
        new(Math.Max(older.LatencyMs, newer.LatencyMs), newer.State == ProbeState.Ok ? older.State : newer.State);
}
