using System.Globalization;
using Agent.Procfs;

namespace Agent.Capabilities;

/// <summary>
/// Pure rules from what was found (a read status, who the agent and the target are) to an entry
/// of the report, with the exact fix. Kept apart from the reading so that every case can be
/// tested without the user or kernel that produces it.
/// </summary>
internal static class CapabilityAdvice
{
    /// <summary>Same UID or CAP_SYS_PTRACE: what the kernel asks of a reader of another process's io, fd/, smaps_rollup (ptrace read mode).</summary>
    public static Capability ForProcFile(string name, ProcReadStatus status, int pid, ProcCredentials agent, ProcCredentials target, string affects, string whenAbsent) => status switch
    {
        ProcReadStatus.Ok => new(name, CapabilityStatus.Available, Invariant($"readable: /proc/{pid}/{name}"), null, affects),
        ProcReadStatus.Gone => new(name, CapabilityStatus.NotApplicable, Invariant($"not present: {whenAbsent}"), null, affects),
        _ => new(name, CapabilityStatus.Unavailable, DeniedDetail(agent, target), AccessFix(agent, target), affects),
    };

    /// <summary>Why the kernel refused, as precisely as the two status files allow.</summary>
    public static string DeniedDetail(ProcCredentials agent, ProcCredentials target)
    {
        var t = Uid(target.RealUid);
        var a = Uid(agent.EffectiveUid);
        if (agent.Has(ProcCredentials.CapSysPtrace) == true)
        {
            return $"denied although the agent holds CAP_SYS_PTRACE (agent uid {a}, target uid {t}): a security module (AppArmor, SELinux) or a user namespace refuses";
        }

        if (agent.EffectiveUid is { } au && au == target.RealUid)
        {
            return $"denied although the agent runs as the target's uid {t}: the target is not dumpable (a setuid or file-capability binary, or prctl(PR_SET_DUMPABLE, 0)) or holds capabilities the agent lacks";
        }

        return $"denied: the target runs as uid {t}, the agent as uid {a} without CAP_SYS_PTRACE";
    }

    /// <summary>The change that makes a ptrace-read-protected file readable.</summary>
    public static string AccessFix(ProcCredentials agent, ProcCredentials target)
    {
        var t = Uid(target.RealUid);
        const string Ptrace = "grant the agent CAP_SYS_PTRACE (systemd: AmbientCapabilities=CAP_SYS_PTRACE; Kubernetes: securityContext.capabilities.add: [\"SYS_PTRACE\"], effective only in a container running as root)";
        if (agent.Has(ProcCredentials.CapSysPtrace) == true)
        {
            return $"allow ptrace read access to the target in the agent's security profile, or run the agent as uid {t}";
        }

        if (agent.EffectiveUid is { } au && au == target.RealUid)
        {
            return Ptrace;
        }

        return $"run the agent as uid {t}, the target's user (Kubernetes: securityContext.runAsUser: {t}; systemd: User=), or {Ptrace}";
    }

    /// <summary>The diagnostic socket exists but connecting was refused by its file permissions (owner-only).</summary>
    public static Capability SocketDenied(string path, ProcCredentials agent, ProcCredentials target) => new(
        DotnetSocketName,
        CapabilityStatus.Unavailable,
        $"{path} is owner-only (the runtime creates it with mode 0600): the target runs as uid {Uid(target.RealUid)}, the agent as uid {Uid(agent.EffectiveUid)}",
        $"run the agent as uid {Uid(target.RealUid)}, the target's user (Kubernetes: securityContext.runAsUser: {Uid(target.RealUid)}); CAP_SYS_PTRACE does not help here, the socket's file permissions decide",
        DotnetAffects);

    /// <summary>No socket where the agent looked.</summary>
    public static Capability SocketNotFound(int pid, string agentTmp, bool targetTmpReachable, bool looksDotnet, ProcCredentials target)
    {
        var where = Invariant($"no dotnet-diagnostic-{pid}-*-socket in {agentTmp} or /proc/{pid}/root/tmp");
        if (targetTmpReachable && !looksDotnet)
        {
            return new(DotnetSocketName, CapabilityStatus.NotApplicable, where + ": not a .NET process (or one started with DOTNET_EnableDiagnostics=0)", null, DotnetAffects);
        }

        var detail = where + (targetTmpReachable ? string.Empty : Invariant($"; /proc/{pid}/root/tmp is not reachable from the agent"))
            + (looksDotnet ? ": the target runs dotnet, so its runtime has diagnostics disabled (DOTNET_EnableDiagnostics=0) or a temp directory the agent cannot see" : string.Empty);
        var fix = "share the target's /tmp with the agent (Kubernetes: one emptyDir mounted at /tmp in both containers, the chart's sharedTmp)"
            + (targetTmpReachable ? string.Empty : $", or run the agent as uid {Uid(target.RealUid)} so that the target's /tmp is reachable through /proc")
            + ", or use listen mode: DOTNET_DiagnosticPorts=/tmp/agent-diag.sock,nosuspend in the target and Runtime:Dotnet:DiagnosticPort=/tmp/agent-diag.sock in the agent"
            + "; for a target that is not .NET set Runtime:Dotnet:Enabled=false";
        return new(DotnetSocketName, CapabilityStatus.Unavailable, detail, fix, DotnetAffects);
    }

    public const string DotnetSocketName = "dotnet_diagnostic_socket";

    public const string DotnetAffects = "target_dotnet_* (GC, thread pool, exceptions, lock contention) and .NET dumps and traces";

    public const string FederationName = "federation_url";

    public const string FederationAffects = "target_<family> series re-exposed from the target's metrics endpoint";

    /// <summary>The fix for a failed scrape of a metrics endpoint set by <paramref name="key"/>, by classified reason.</summary>
    public static string FederationFix(Probes.FailureReason reason, string url, TimeSpan timeout, string key) => reason switch
    {
        Probes.FailureReason.Refused => $"nothing listens at {url}: start the target's metrics endpoint, or correct {key} (in a pod: the app's port on 127.0.0.1)",
        Probes.FailureReason.Dns => $"the host of {url} does not resolve from the agent: correct {key}",
        Probes.FailureReason.Timeout => Invariant($"no answer within {timeout.TotalMilliseconds:F0} ms: check that {url} is reachable from the agent (network policy, bind address)"),
        Probes.FailureReason.HttpStatus => $"correct the path of {key} ({url}): the server does not serve metrics there",
        _ => $"check that {url} serves the Prometheus text format to the agent",
    };

    /// <summary>The caller's own deadline ended the check first (e.g. <c>agent check</c> against a hung endpoint).</summary>
    public static Capability CutShort(string name, string what, string affects) =>
        new(name, CapabilityStatus.Unavailable, $"{what}: no answer before the caller's deadline", $"check that {what} answers promptly", affects);

    private static string Uid(int? uid) => uid?.ToString(CultureInfo.InvariantCulture) ?? "unknown";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
