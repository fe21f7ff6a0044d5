namespace Agent.Diagnostics.Dotnet;

/// <summary>An EventPipe trace of <c>seconds</c> (default 10) with the cpu, gc or default profile, as a .nettrace file.</summary>
internal sealed class TraceCapture(DotnetChannel channel) : ICapture
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(10);

    public ArtifactKind Kind => ArtifactKind.Trace;

    public ArtifactFormat Format(DiagnosticTarget target) => ArtifactFormat.Nettrace;

    public string? Unsupported(DiagnosticTarget target, CaptureRequest request) => channel.Socket(target) is null ? DotnetChannel.NoSocketFix : null;

    // Measured here: ~0.5 MB/s for the default profile on an idle target; busy targets write more,
    // and the recorder stops at the budget in any case.
    public long EstimateBytes(DiagnosticTarget target, CaptureRequest request) =>
        (long)Math.Ceiling((request.Duration ?? DefaultDuration).TotalSeconds) * 2 * 1024 * 1024;

    public async Task RunAsync(DiagnosticTarget target, CaptureRequest request, string path, long maxBytes, CancellationToken cancellationToken)
    {
        await using var connector = await channel.ConnectAsync(target, cancellationToken);
        var profile = request.Profile == "cpu" ? "stacks" : request.Profile;
        await EventPipeRecorder.RecordAsync(connector.Instance, EventPipeRecorder.Providers(profile), request.Duration ?? DefaultDuration, path, maxBytes, cancellationToken);
    }
}
