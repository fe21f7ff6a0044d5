namespace Agent.Sampling;

/// <summary>
/// Told of every snapshot the sampling loop publishes, right after it is published, on the loop's
/// thread (so it must not block). Features above sampling (history, triggers) register one; the
/// loop knows none of them. One that throws is logged (rate-limited) and the others still run.
/// </summary>
internal interface ISamplingObserver
{
    void OnTick(SamplingSnapshot snapshot);
}
