using System.Globalization;
using System.Text.RegularExpressions;
using Agent.Configuration;
using Agent.Procfs;

namespace Agent.Capabilities;

/// <summary>
/// Will the target's own traffic (requests, errors, latency) reach the agent, and if not, why and
/// the fix? Answered from what the process shows without attaching: the files it has mapped (a .NET
/// runtime's version, ASP.NET Core's hosting assembly) and its command line (gunicorn's
/// <c>--statsd-host</c>). The running agent replaces this with what its session or listener saw
/// (<c>Diagnostics/DiagnosticsCapabilities</c>).
/// </summary>
internal static partial class TrafficAdvice
{
    public const string Name = "traffic";

    public const string Affects = "target_http_server_* (requests, errors, latency), target_http_client_*, target_dns_*, target_kestrel_*, target_gunicorn_*; the page's traffic charts and the traffic triggers";

    public static Capability Inspect(ProcPid process, AgentSettings settings, ProcCredentials agent, ProcCredentials target)
    {
        var commandLine = process.CommandLine();
        if (IsGunicorn(process, commandLine))
        {
            return Gunicorn(commandLine, settings.Traffic.StatsdPort);
        }

        var mapped = process.MappedFiles(out var status);
        return Dotnet(mapped, status, settings, agent, target, process.Pid);
    }

    /// <summary>A .NET target, from its mapped files and how reading them went.</summary>
    public static Capability Dotnet(IReadOnlySet<string> mapped, ProcReadStatus status, AgentSettings settings, ProcCredentials agent, ProcCredentials target, int pid)
    {
        if (status == ProcReadStatus.Denied)
        {
            return new(Name, CapabilityStatus.Unavailable, Invariant($"cannot read /proc/{pid}/maps to see which runtime and frameworks the target loaded: ") + CapabilityAdvice.DeniedDetail(agent, target), CapabilityAdvice.AccessFix(agent, target), Affects);
        }

        if (status != ProcReadStatus.Ok)
        {
            return new(Name, CapabilityStatus.NotApplicable, Invariant($"no /proc/{pid}/maps (the process exited?): cannot tell which runtime it runs"), null, Affects);
        }

        var coreclr = mapped.FirstOrDefault(f => f.EndsWith("/libcoreclr.so", StringComparison.Ordinal));
        if (coreclr is null)
        {
            return new(Name, CapabilityStatus.NotApplicable, settings.Traffic.StatsdPort is { } port
                ? Invariant($"not a .NET process with a shared runtime (no libcoreclr.so mapped; a Native AOT app shows the same) and not gunicorn: the StatsD listener on udp 127.0.0.1:{port} takes gunicorn's output only")
                : "not a .NET process with a shared runtime (no libcoreclr.so mapped; a Native AOT app shows the same) and not gunicorn", null, Affects);
        }

        if (!settings.Runtime.Dotnet.Enabled || !settings.Traffic.Enabled)
        {
            return new(Name, CapabilityStatus.NotApplicable, settings.Runtime.Dotnet.Enabled ? "Traffic:Enabled is false" : "Runtime:Dotnet:Enabled is false", null, Affects);
        }

        var version = RuntimeVersion().Match(coreclr) is { Success: true } m ? m.Groups["v"].Value : null;
        if (version is not null && int.TryParse(version.AsSpan(0, version.IndexOf('.', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture, out var major) && major < 8)
        {
            return new(Name, CapabilityStatus.NotApplicable, $".NET {version}: the runtime publishes request counts and durations from .NET 8 on (the ASP.NET Core and System.Net meters, HistogramValuePublished with count and sum); run the app on .NET 8 or later to get them", null, Affects);
        }

        var runtime = version is null ? ".NET" : ".NET " + version;
        var hosting = mapped.Any(f => f.EndsWith("/Microsoft.AspNetCore.Hosting.dll", StringComparison.Ordinal));
        var http = mapped.Any(f => f.EndsWith("/System.Net.Http.dll", StringComparison.Ordinal));
        return hosting
            ? new(Name, CapabilityStatus.Available, $"{runtime} with ASP.NET Core loaded (Microsoft.AspNetCore.Hosting.dll): its request metrics arrive over the agent's metrics session{(http ? ", and HttpClient's" : string.Empty)}", null, Affects)
            : new(Name, CapabilityStatus.NotApplicable, $"{runtime} without ASP.NET Core loaded (no Microsoft.AspNetCore.Hosting.dll mapped): no served requests to count yet (an app that starts serving later is picked up){(http ? "; outbound HttpClient requests are counted" : string.Empty)}", null, Affects);
    }

    /// <summary>A gunicorn master: is its StatsD output pointed at the agent's listener?</summary>
    public static Capability Gunicorn(string commandLine, int? listenerPort)
    {
        var flag = StatsdHost().Match(commandLine);
        if (listenerPort is not { } port)
        {
            // Opt-in: not a problem until asked for, but say how.
            return new(Name, CapabilityStatus.NotApplicable, "gunicorn, and the agent's StatsD listener is off: to count its requests, set Traffic:StatsdPort=8125 in the agent and start gunicorn with --statsd-host 127.0.0.1:8125", null, Affects);
        }

        var wanted = Invariant($"--statsd-host 127.0.0.1:{port}");
        if (!flag.Success)
        {
            return new(Name, CapabilityStatus.Unavailable, Invariant($"gunicorn without --statsd-host on its command line (GUNICORN_CMD_ARGS or a config file may set it: the agent cannot see those); the agent listens on udp 127.0.0.1:{port}"), $"add {wanted} to gunicorn's command", Affects);
        }

        var host = flag.Groups["host"].Value;
        var colon = host.LastIndexOf(':');
        var sendsTo = colon > 0 && int.TryParse(host.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 8125; // gunicorn's default port
        var name = colon > 0 ? host[..colon] : host;
        return sendsTo == port && name is "127.0.0.1" or "localhost"
            ? new(Name, CapabilityStatus.Available, $"gunicorn sends its StatsD output to {host}, the agent's listener", null, Affects)
            : new(Name, CapabilityStatus.Unavailable, Invariant($"gunicorn sends its StatsD output to {host}; the agent listens on udp 127.0.0.1:{port}"), $"use {wanted} (or set Traffic:StatsdPort to the port gunicorn uses)", Affects);
    }

    private static bool IsGunicorn(ProcPid process, string commandLine) =>
        (commandLine.Contains("gunicorn", StringComparison.Ordinal) && !commandLine.Contains("dotnet", StringComparison.Ordinal))
        || process.ExecutableName().StartsWith("gunicorn", StringComparison.Ordinal);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"/Microsoft\.NETCore\.App/(?<v>\d+\.\d+\.\d+[^/]*)/libcoreclr\.so$")]
    private static partial Regex RuntimeVersion();

    [GeneratedRegex(@"--statsd-host(?:=|\s+)(?<host>\S+)")]
    private static partial Regex StatsdHost();
}
