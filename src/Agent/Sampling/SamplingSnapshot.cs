using Agent.Configuration;

namespace Agent.Sampling;

/// <summary>
/// What the sampling loop last published: every target, ordered by name. Immutable, swapped
/// atomically, read by endpoints and metric callbacks without locks.
/// </summary>
internal sealed record SamplingSnapshot(IReadOnlyList<TargetSnapshot> Targets, DateTimeOffset TakenAt)
{
    public static SamplingSnapshot Empty(DateTimeOffset now) => new([], now);

    /// <summary>
    /// The target the single-process features follow (.NET runtime attachment, federation, the
    /// health summary): the one named <c>app</c>, else the first by name.
    /// </summary>
    public TargetSnapshot? Primary => Find(TargetNames.Default) ?? (Targets.Count > 0 ? Targets[0] : null);

    public TargetSnapshot? Find(string name)
    {
        foreach (var t in Targets)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        return null;
    }
}
