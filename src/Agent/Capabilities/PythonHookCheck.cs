using System.Globalization;
using Agent.Procfs;
using Agent.Runtimes;
using Agent.Runtimes.Python;

namespace Agent.Capabilities;

/// <summary>
/// Does the target's Python hook answer? Finds its socket the way the runtime service does and
/// asks <c>hello</c>: an answer proves the whole path (shared /tmp, the user, the protocol). A
/// process that neither runs Python nor has a hook socket is not applicable; a Python one without
/// the hook gets the exact line to add.
/// </summary>
internal static class PythonHookCheck
{
    public const string Name = "python_hook";

    public const string Affects = "target_python_* (gc collections, collected, uncollectable, gc.garbage, threads without prometheus_client), /diag/heap (allocation growth by line), /diag/stacks through the hook";

    /// <summary>The check's item, and the hook's answer to <c>hello</c> when it answered (what it can do).</summary>
    public static async Task<(Capability Item, PythonHello? Hello)> CheckAsync(ProcPid process, ProcCredentials agent, ProcCredentials target, TimeSpan timeout, CancellationToken ct)
    {
        var pid = process.Pid;
        var agentTmp = DiagnosticSocket.AgentTmp();
        if (PythonHook.Find(process, agentTmp) is not { } path)
        {
            var where = string.Create(CultureInfo.InvariantCulture, $"no {PythonHook.SocketName(pid)} in {agentTmp} or /proc/{pid}/root/tmp");
            return (PythonTargetMembers.LooksPython(process)
                ? new(Name, CapabilityStatus.Unavailable, where + ": the hook is not loaded, or /tmp is not shared", PythonHook.LoadFix, Affects, OptIn: true)
                : new(Name, CapabilityStatus.NotApplicable, where + ": not a Python process (or one without the hook)", null, Affects), null);
        }

        try
        {
            var hello = await PythonHookRequests.HelloAsync(path, pid, timeout, ct);
            return (new(Name, CapabilityStatus.Available, string.Create(CultureInfo.InvariantCulture, $"answers: {path} ({hello.Hook} protocol {hello.Protocol}, {hello.Implementation} {hello.Python}, tracemalloc {(hello.Tracing ? "on (the application's)" : "off")})"), null, Affects), hello);
        }
        catch (PythonHookException e)
        {
            var fix = e.Failure switch
            {
                PythonHookFailure.Denied => string.Create(CultureInfo.InvariantCulture, $"run the agent as uid {target.RealUid?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}, the application's user (the hook refuses any other uid, and its socket is owner-only; agent uid {agent.EffectiveUid?.ToString(CultureInfo.InvariantCulture) ?? "unknown"})"),
                PythonHookFailure.Gone => "the socket was left by a process that exited; restart the application with the hook loaded: " + PythonHook.LoadFix,
                PythonHookFailure.Malformed => "use the hook this agent prints (agent python-hook > sidecar_hook.py): the versions differ",
                PythonHookFailure.Refused => string.Create(CultureInfo.InvariantCulture, $"run the agent as uid {target.RealUid?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}, the application's user"),
                _ => "check that the application is running and not stopped (SIGSTOP, a debugger) or holding the GIL in C code",
            };
            return (new(Name, CapabilityStatus.Unavailable, e.Message, fix, Affects), null);
        }
        catch (OperationCanceledException)
        {
            return (CapabilityAdvice.CutShort(Name, path, Affects), null);
        }
    }
}
