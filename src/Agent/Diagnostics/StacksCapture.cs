using Agent.Diagnostics.Dotnet;
using Agent.Diagnostics.Python;

namespace Agent.Diagnostics;

/// <summary>
/// Every thread's stack, by runtime: Python through its hook (text), else through the
/// faulthandler opt-in — the route that still answers when every Python thread is stuck in C
/// code holding the GIL, as the signal handler runs in C; the artifact's first line says which
/// answered. .NET a short sample-profiler EventPipe trace (.nettrace: PerfView or
/// <c>dotnet-trace convert --format speedscope</c> shows the stacks). Anything else has no stacks without ptrace.
/// </summary>
internal sealed class StacksCapture(TargetRuntime runtime, DotnetChannel dotnet, PythonStacks python, PythonHookStacks hook, PythonHookTargets hooks) : ICapture
{
    public static readonly TimeSpan DotnetSampleDuration = TimeSpan.FromSeconds(2);

    public ArtifactKind Kind => ArtifactKind.Stacks;

    public ArtifactFormat Format(DiagnosticTarget target) => runtime.Detect(target) == RuntimeKind.Dotnet ? ArtifactFormat.Nettrace : ArtifactFormat.Text;

    public string? Unsupported(DiagnosticTarget target, CaptureRequest request) => runtime.Detect(target) switch
    {
        RuntimeKind.Dotnet => null,
        RuntimeKind.Python => hooks.Find(target).Count > 0 || python.Unsupported(target) is null ? null : $"{PythonHookTargets.NoHookFix(target)}; or {python.Unsupported(target)}",
        _ => "stacks need a .NET runtime (EventPipe) or a Python target with the hook or the faulthandler opt-in; a snapshot works for any process",
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

        var (written, why) = await hook.TryCaptureAsync(target, path, cancellationToken);
        if (written)
        {
            return;
        }

        if (python.Unsupported(target) is not null)
        {
            throw new CaptureFailedException($"the Python hook gave no stacks ({why}) and the faulthandler opt-in is not there either");
        }

        await python.CaptureAsync(target, path + ".faulthandler", cancellationToken);
        await using (var output = File.Create(path))
        {
            var header = System.Text.Encoding.UTF8.GetBytes($"# Python stacks of target {target.Name}, answered by faulthandler (SIGUSR2){(why == "no hook socket" ? "" : $"; the hook gave none: {why}")}\n");
            await output.WriteAsync(header, cancellationToken);
            await using var input = File.OpenRead(path + ".faulthandler");
            await input.CopyToAsync(output, cancellationToken);
        }

        File.Delete(path + ".faulthandler");
    }
}
