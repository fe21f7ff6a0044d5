namespace Agent.Sampling;

/// <summary>Holds the latest snapshot of every target. One writer (the sampling loop), many readers.</summary>
internal sealed class TargetSnapshotStore(SamplingSnapshot initial)
{
    private SamplingSnapshot _current = initial;

    /// <summary>True once the sampling loop has completed at least one tick.</summary>
    public bool HasTicked { get; private set; }

    public SamplingSnapshot Current => Volatile.Read(ref _current);

    public void Publish(SamplingSnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        HasTicked = true;
    }
}
