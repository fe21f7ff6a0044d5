using System.Collections.Concurrent;
using Agent.Diagnostics;
using Agent.Diagnostics.Dotnet;
using Agent.Diagnostics.Python;

namespace Agent.Profiling;

/// <summary>
/// Records a window of a named target, one at a time per target: the loop's windows and on-demand
/// ones share the slot, so a target never runs two profiling windows at once. .NET through its
/// diagnostic socket (EventPipe's sample profiler); Python through its hook.
/// </summary>
internal sealed class TargetProfiler(DiagnosticTargets targets, TargetRuntime runtime, DotnetChannel channel, PythonHookTargets hooks, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, bool> _busy = new(StringComparer.Ordinal);

    /// <summary>Null when the target can be profiled now; else why not, with the fix.</summary>
    public string? Unsupported(DiagnosticTarget target) =>
        runtime.Detect(target) == RuntimeKind.Python
            ? hooks.Find(target).Count == 0 ? PythonHookTargets.NoHookFix(target) : null
            : channel.Socket(target) is null ? DotnetChannel.NoSocketFix : null;

    public DiagnosticTarget? Find(string name) => targets.Find(name);

    /// <summary><c>python</c> or <c>dotnet</c>: the runtime a window of this target is read from.</summary>
    public string RuntimeLabel(DiagnosticTarget target) => runtime.Detect(target) == RuntimeKind.Python ? "python" : "dotnet";

    public IReadOnlyList<string> Names => targets.Names;

    /// <summary>One window, or null when another window of this target is running.</summary>
    public async Task<CpuProfile?> RecordAsync(DiagnosticTarget target, TimeSpan window, CancellationToken cancellationToken)
    {
        if (!_busy.TryAdd(target.Name, true))
        {
            return null;
        }

        try
        {
            if (runtime.Detect(target) == RuntimeKind.Python)
            {
                return await PythonProfileRecorder.RecordAsync(hooks.Find(target), window, time, cancellationToken);
            }

            await using var connector = await channel.ConnectAsync(target, cancellationToken);
            return await DotnetProfileRecorder.RecordAsync(connector.Instance, window, time, cancellationToken);
        }
        finally
        {
            _busy.TryRemove(target.Name, out _);
        }
    }
}
