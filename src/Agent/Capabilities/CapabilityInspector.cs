using System.Globalization;
using Agent.Configuration;
using Agent.Procfs;

namespace Agent.Capabilities;

/// <summary>
/// What the agent can and cannot read of one target with its current user and capabilities:
/// <c>stat</c>, <c>io</c>, <c>fd/</c>, <c>smaps_rollup</c>, its cgroup, the .NET diagnostic socket,
/// the federation URL and the Python hook, each "cannot" with its fix. The same code answers <c>agent check</c> and the
/// running agent. Reads each source once; nothing is cached.
/// </summary>
internal static class CapabilityInspector
{
    /// <summary>How long the .NET runtime may take to answer on its socket.</summary>
    public static readonly TimeSpan SocketTimeout = TimeSpan.FromSeconds(2);

    /// <param name="procRoot">Where procfs is mounted (<c>Sampling:ProcRoot</c>); <c>self</c> under it is the agent.</param>
    /// <param name="pid">The target, as that procfs numbers it.</param>
    /// <param name="settings">The agent's settings (runtime options: the socket mode and the federation URL).</param>
    /// <param name="ct">Cuts the network checks short.</param>
    /// <param name="endpoint">This target's federation endpoint; by default <c>Runtime:MetricsUrl</c> (the primary's, as <c>agent check</c> inspects).</param>
    public static async Task<CapabilityReport> InspectAsync(string procRoot, int pid, AgentSettings settings, CancellationToken ct, FederationEndpoint? endpoint = null)
    {
        var fs = new ProcFs(procRoot);
        var process = fs.Process(pid);
        var buffer = new byte[4096];
        var agent = Credentials(fs.Self(), buffer);
        var target = Credentials(process, buffer);
        var agentPtrace = agent.Has(ProcCredentials.CapSysPtrace);
        if (process.ReadStat(buffer, out _, out _) != ProcReadStatus.Ok)
        {
            return new(pid, target.RealUid, agent.EffectiveUid, agentPtrace,
                [new("stat", CapabilityStatus.Unavailable, Invariant($"process {pid} does not exist (or exited)"), "point the agent at a running process (see the target section)", "every target_process_* metric")]);
        }

        var items = new List<Capability>
        {
            new("stat", CapabilityStatus.Available, Invariant($"readable: /proc/{pid}/stat and status"), null, "every target_process_* metric"),
            CapabilityAdvice.ForProcFile("io", process.ReadIo(buffer, out _), pid, agent, target, "target_process_io_read_bytes_total, target_process_io_write_bytes_total", "a kernel without task I/O accounting"),
            Fd(process, agent, target),
            CapabilityAdvice.ForProcFile("smaps_rollup", process.ReadSmapsRollup(buffer, out _), pid, agent, target, "the memory breakdown (PSS, anonymous, file-backed) of diagnostics snapshots", "Linux before 4.14"),
            TrafficAdvice.Inspect(process, settings, agent, target),
        };
        items.AddRange(CgroupCheck.Inspect(process, fs.Self()));
        var socket = DotnetSocketCheck.CheckAsync(process, settings.Runtime.Dotnet, agent, target, SocketTimeout, ct);
        endpoint ??= settings.Federation.FirstOrDefault(e => e.Key == FederationEndpoint.PrimaryKey);
        var federation = FederationCheck.CheckAsync(endpoint?.Url, endpoint?.ConfigKeyName, settings.Runtime.MetricsTimeout, ct);
        var python = PythonHookCheck.CheckAsync(process, agent, target, SocketTimeout, ct);
        var dotnet = await socket;
        var (hook, hello) = await python;
        items.Add(dotnet);
        items.Add(await federation);
        items.Add(hook);
        items.Add(ProfileCheck.From(dotnet, hook, hello));
        return new(pid, target.RealUid, agent.EffectiveUid, agentPtrace, items);
    }

    /// <summary>
    /// Listing fd/ needs the same access as io; counting does not on Linux 6.2 and later (stat()
    /// of the directory gives the count to anyone), so a denied listing may still leave the count.
    /// </summary>
    private static Capability Fd(ProcPid process, ProcCredentials agent, ProcCredentials target)
    {
        ProcReadStatus listing;
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(process.FdDirectory).GetEnumerator();
            _ = entries.MoveNext();
            listing = ProcReadStatus.Ok;
        }
        catch (UnauthorizedAccessException)
        {
            listing = ProcReadStatus.Denied;
        }
        catch (Exception e) when (e is IOException or System.Security.SecurityException)
        {
            listing = ProcReadStatus.Gone;
        }

        var countStillWorks = listing == ProcReadStatus.Denied && process.CountFds(out var n) == ProcReadStatus.Ok && n > 0;
        var item = CapabilityAdvice.ForProcFile("fd", listing, process.Pid, agent, target, countStillWorks ? FdEntriesAffects : "target_process_open_fds and " + FdEntriesAffects, "no fd/ directory");
        return countStillWorks
            ? item with { Detail = item.Detail + "; the open-fd count still works (Linux 6.2 and later report it as the directory's size)" }
            : item;
    }

    private const string FdEntriesAffects = "what each open fd is (files, sockets, pipes) in diagnostics snapshots";

    internal static ProcCredentials Credentials(ProcPid process, byte[] buffer) =>
        process.ReadStatus(buffer, out var status) == ProcReadStatus.Ok ? status.Credentials : default;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
