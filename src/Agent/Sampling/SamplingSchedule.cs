namespace Agent.Sampling;

/// <summary>The sampling interval, shared by the loop and by <c>/health</c>'s freshness rule.</summary>
internal sealed record SamplingSchedule(TimeSpan Interval)
{
    /// <summary>The loop is alive if a tick finished within this long.</summary>
    public TimeSpan LivenessWindow => 3 * Interval;
}
