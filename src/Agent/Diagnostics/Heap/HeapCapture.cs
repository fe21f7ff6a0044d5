using System.Text.Json;
using Agent.Configuration;
using Agent.Diagnostics.Dotnet;
using Agent.Diagnostics.Python;

namespace Agent.Diagnostics.Heap;

/// <summary>
/// <c>kind=heap</c>, by runtime. .NET: without <c>seconds</c> one summary by type
/// (<see cref="HeapSummary"/>); with it, two walks the window apart and what grew, with holders
/// (<see cref="DotnetHeapGrowth"/>). Python (the hook): allocation growth by line and objects by
/// type over the window (<see cref="PythonHeapGrowth"/>), <c>Diagnostics:HeapWindow</c> when
/// <c>seconds</c> is absent. Anything else has no heap the agent can read.
/// </summary>
internal sealed class HeapCapture(TargetRuntime runtime, DotnetChannel channel, DotnetHeapGrowth dotnetGrowth, PythonHookTargets pythonHooks, PythonHeapGrowth pythonGrowth, DiagnosticsSettings settings) : ICapture
{
    /// <summary>Types (sites) listed in each of the artifact's tables.</summary>
    public const int Top = 50;

    public ArtifactKind Kind => ArtifactKind.Heap;

    public ArtifactFormat Format(DiagnosticTarget target) => ArtifactFormat.Json;

    public string? Unsupported(DiagnosticTarget target, CaptureRequest request) => runtime.Detect(target) switch
    {
        RuntimeKind.Dotnet => null,
        RuntimeKind.Python => pythonHooks.Find(target).Count > 0 ? null : PythonHookTargets.NoHookFix(target),
        _ => channel.Socket(target) is null ? DotnetChannel.NoSocketFix + "; for a Python target: " + Runtimes.Python.PythonHook.LoadFix : null,
    };

    // Tables of Top names and numbers (per process for a Python tree).
    public long EstimateBytes(DiagnosticTarget target, CaptureRequest request) => Math.Max(1, target.Processes) * 1024L * 1024;

    public async Task RunAsync(DiagnosticTarget target, CaptureRequest request, string path, long maxBytes, CancellationToken cancellationToken)
    {
        if (runtime.Detect(target) == RuntimeKind.Python)
        {
            await pythonGrowth.RunAsync(target, request.Duration ?? settings.HeapWindow, path, Top, cancellationToken);
            return;
        }

        if (request.Duration is { } window)
        {
            await dotnetGrowth.RunAsync(target, window, path, Top, cancellationToken);
            return;
        }

        await using var connector = await channel.ConnectAsync(target, cancellationToken);
        await DotnetHeapWalk.FlushTypeTableAsync(connector.Instance, cancellationToken);
        var tally = new HeapTally();
        var (gcNumber, complete, malformed) = await DotnetHeapWalk.WalkAsync(connector.Instance, tally, null, cancellationToken);
        DotnetHeapWalk.EnsureComplete(gcNumber, complete, malformed);
        var summary = tally.Summarise(target.Name, target.Identity.Pid, gcNumber, Top);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, summary, DiagnosticsJsonContext.Default.HeapSummary, cancellationToken);
    }
}
