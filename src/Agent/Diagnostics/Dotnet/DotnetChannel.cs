using Agent.Procfs;
using Microsoft.Diagnostics.NETCore.Client;

namespace Agent.Diagnostics.Dotnet;

/// <summary>
/// Opens the diagnostic channel of a .NET target for one capture (connect mode through its IPC
/// socket, as the counters do). The runtime allows many EventPipe sessions at once; the counters'
/// session uses the System.Diagnostics.Metrics provider, which these captures never enable, so the
/// runtime's one-metrics-session rule is not touched while a trace or a stacks sample runs.
/// </summary>
internal sealed class DotnetChannel(TargetRuntime runtime, ProcFs fs)
{
    public const string NoSocketFix =
        "not a .NET process, or its diagnostic socket is not visible to the agent: share the target's /tmp with the agent (an emptyDir on /tmp in both containers, or TMPDIR pointing at one), and run the agent as the target's user (the socket is owner-only)";

    public string? Socket(DiagnosticTarget target) => runtime.DotnetSocket(target);

    public async Task<DiagnosticsClientConnector> ConnectAsync(DiagnosticTarget target, CancellationToken cancellationToken)
    {
        var socket = Socket(target) ?? throw new CaptureFailedException(NoSocketFix);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        return await DiagnosticsClientConnector.FromDiagnosticPort(socket + ",connect", timeout.Token);
    }

    /// <summary>The target's resident size, for size estimates (0 when unreadable).</summary>
    public long ResidentBytes(DiagnosticTarget target)
    {
        Span<byte> buffer = stackalloc byte[4096];
        return fs.Process(target.Identity.Pid).ReadStatus(buffer, out var status) == ProcReadStatus.Ok ? status.ResidentBytes ?? 0 : 0;
    }
}
