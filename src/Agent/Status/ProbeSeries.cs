namespace Agent.Status;

/// <summary>A probe's results, column by column: Unix-millisecond time, latency, and the failure reason (null when healthy).</summary>
internal sealed record ProbeSeries(long[] Time, double[] LatencyMs, string?[] Reason);
