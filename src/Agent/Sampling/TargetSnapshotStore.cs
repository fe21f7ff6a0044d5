namespace Agent.Sampling;

/// <summary>Holds the latest snapshot. One writer (the sampling loop), many readers.</summary>
internal sealed class TargetSnapshotStore(TargetSnapshot initial)
{
    private TargetSnapshot _current = initial;

    /// <summary>True once the sampling loop has completed at least one tick.</summary>
    public bool HasTicked { get; private set; }

    public TargetSnapshot Current => Volatile.Read(ref _current);

    public void Publish(TargetSnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        HasTicked = true;
    }
}
