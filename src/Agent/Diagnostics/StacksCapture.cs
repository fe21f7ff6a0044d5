using Agent.Diagnostics.Dotnet;
using Agent.Diagnostics.Python;

namespace Agent.Diagnostics;

/// <summary>
/// Every thread's stack, by runtime: Python through the faulthandler opt-in (text); .NET a short
/// sample-profiler EventPipe trace (.nettrace: PerfView or <c>dotnet-trace convert --format speedscope</c>
/// shows the stacks). Anything else has no stacks without ptrace.
/// </summary>
internal sealed class StacksCapture(TargetRuntime runtime, DotnetChannel dotnet, PythonStacks python) : ICapture
{
    public static readonly TimeSpan DotnetSampleDuration = TimeSpan.FromSeconds(2);

    public ArtifactKind Kind => ArtifactKind.Stacks;

    public ArtifactFormat Format(DiagnosticTarget target) => runtime.Detect(target) == RuntimeKind.Dotnet ? ArtifactFormat.Nettrace : ArtifactFormat.Text;

    public string? Unsupported(DiagnosticTarget target, CaptureRequest request) => runtime.Detect(target) switch
    {
        RuntimeKind.Dotnet => null,
        RuntimeKind.Python => python.Unsupported(target),
        _ => "stacks need a .NET runtime (EventPipe) or a Python target with the faulthandler opt-in; a snapshot works for any process",
    };

    public long EstimateBytes(DiagnosticTarget target, CaptureRequest request) => 8L * 1024 * 1024;

    public async Task RunAsync(DiagnosticTarget target, CaptureRequest request, string path, long maxBytes, CancellationToken cancellationToken)
    {
        if (runtime.Detect(target) == RuntimeKind.Dotnet)
        {
            await using var connector = await dotnet.ConnectAsync(target, cancellationToken);
            await EventPipeRecorder.RecordAsync(connector.Instance, EventPipeRecorder.Providers("stacks"), request.Duration ?? DotnetSampleDuration, path, maxBytes, cancellationToken);
            return;
        }

        await python.CaptureAsync(target, path, cancellationToken);
    }
}
