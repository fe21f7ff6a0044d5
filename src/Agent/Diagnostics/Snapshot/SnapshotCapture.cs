using System.Text.Json;

namespace Agent.Diagnostics.Snapshot;

/// <summary>Stores a process snapshot as an artifact (POST /diag/snapshot, triggers).</summary>
internal sealed class SnapshotCapture(ProcessSnapshotReader reader) : ICapture
{
    public ArtifactKind Kind => ArtifactKind.Snapshot;

    public ArtifactFormat Format(DiagnosticTarget target) => ArtifactFormat.Json;

    public string? Unsupported(DiagnosticTarget target, CaptureRequest request) => null;

    // 100 000 fds and 10 000 threads at ~100 bytes each stay under this.
    public long EstimateBytes(DiagnosticTarget target, CaptureRequest request) => 4L * 1024 * 1024;

    public async Task RunAsync(DiagnosticTarget target, CaptureRequest request, string path, long maxBytes, CancellationToken cancellationToken)
    {
        var snapshot = reader.Read(target) ?? throw new CaptureFailedException("the target exited before the snapshot was taken");
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, snapshot, DiagnosticsJsonContext.Default.ProcessSnapshot, cancellationToken);
    }
}
