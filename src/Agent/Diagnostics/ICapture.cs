namespace Agent.Diagnostics;

/// <summary>One kind of evidence. The <see cref="CaptureService"/> owns scheduling, limits and bookkeeping; a capture only writes its file.</summary>
internal interface ICapture
{
    ArtifactKind Kind { get; }

    /// <summary>What the file will be, for a given target (a .NET stacks capture is a trace, a Python one text).</summary>
    ArtifactFormat Format(DiagnosticTarget target);

    /// <summary>Null when this target can give this evidence now; else why not and the fix.</summary>
    string? Unsupported(DiagnosticTarget target, CaptureRequest request);

    /// <summary>A cautious guess of the file size, reserved against the budget until the capture ends.</summary>
    long EstimateBytes(DiagnosticTarget target, CaptureRequest request);

    /// <summary>Writes the artifact to <paramref name="path"/>, at most <paramref name="maxBytes"/> where the writer is the agent.</summary>
    Task RunAsync(DiagnosticTarget target, CaptureRequest request, string path, long maxBytes, CancellationToken cancellationToken);
}
