namespace Agent.Diagnostics;

/// <summary>What to capture. Kind-specific fields are ignored by the other kinds.</summary>
/// <param name="DumpType">heap, full or mini (dump).</param>
/// <param name="Duration">How long to record (trace, .NET stacks).</param>
/// <param name="Profile">cpu, gc or default (trace).</param>
internal sealed record CaptureRequest(
    string Target,
    ArtifactKind Kind,
    string Trigger,
    string DumpType = "heap",
    TimeSpan? Duration = null,
    string Profile = "default");
