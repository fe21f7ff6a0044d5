namespace Agent.Diagnostics;

/// <summary>A started capture (its running entry) or the reason none was started.</summary>
internal readonly record struct CaptureResult(ArtifactEntry? Entry, CaptureRefusal? Refusal)
{
    public static CaptureResult Started(ArtifactEntry entry) => new(entry, null);

    public static CaptureResult Refused(CaptureRefusalReason reason, string message) => new(null, new CaptureRefusal(reason, message));
}
