using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Agent.Configuration;

/// <summary>
/// Refuses a top-level section the agent does not know, so that <c>--Prob:web:Kind=tcp</c> (for
/// <c>Probes</c>) stops startup instead of starting an agent that checks nothing. From the command
/// line and settings files every top-level key must be one of the agent's sections or one the host
/// reads itself (<c>Logging</c>, <c>Kestrel</c>, <c>urls</c>, …). The environment holds every
/// variable of the container (<c>PATH</c>, <c>HOSTNAME</c>, …), so there only a near miss of an
/// agent section (a letter or two off, <c>Probe__db__Kind</c>) is refused.
/// </summary>
internal static class KnownSections
{
    /// <summary>The agent's own sections.</summary>
    public static readonly string[] Agent =
    [
        TargetOptions.Section, NamedTargetOptions.Section, SamplingOptions.Section, ReadinessOptions.Section, ProbeOptions.Section,
        RuntimeOptions.Section, TriggerOptions.Section, DiagnosticsOptions.Section, ProfilingOptions.Section, SecurityOptions.Section, TelemetryOptions.Section,
        OtlpOptions.Section, TrafficOptions.Section,
    ];

    /// <summary>Top-level keys ASP.NET Core and the generic host read themselves.</summary>
    public static readonly string[] Host =
    [
        "Logging", "Kestrel", "AllowedHosts", "https_port", "hostBuilder",
        WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey, WebHostDefaults.EnvironmentKey,
        WebHostDefaults.ApplicationKey, WebHostDefaults.ContentRootKey, WebHostDefaults.WebRootKey, WebHostDefaults.DetailedErrorsKey,
        WebHostDefaults.CaptureStartupErrorsKey, WebHostDefaults.PreferHostingUrlsKey, WebHostDefaults.PreventHostingStartupKey,
        WebHostDefaults.SuppressStatusMessagesKey, WebHostDefaults.ShutdownTimeoutKey, WebHostDefaults.HostingStartupAssembliesKey,
        WebHostDefaults.HostingStartupExcludeAssembliesKey, WebHostDefaults.StartupAssemblyKey, WebHostDefaults.StaticWebAssetsKey,
    ];

    public static void Validate(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return;
        }

        foreach (var provider in root.Providers)
        {
            var fromEnvironment = provider is EnvironmentVariablesConfigurationProvider;
            foreach (var key in provider.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (Agent.Contains(key, StringComparer.OrdinalIgnoreCase) || Host.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                var near = NearestAgentSection(key, fromEnvironment);
                if (fromEnvironment && near is null)
                {
                    continue;
                }

                var where = fromEnvironment ? $", set by an environment variable {key}__…" : string.Empty;
                var hint = near is null ? string.Empty : $" (did you mean {near}?)";
                throw new ConfigurationException(key, $"unknown section{hint}{where}; the agent's sections are {string.Join(", ", Agent)}");
            }
        }
    }

    /// <summary>
    /// The agent section <paramref name="key"/> most likely misspells, or null. Environment keys
    /// must be closer (one edit for short names) as unrelated variables are everywhere.
    /// </summary>
    public static string? NearestAgentSection(string key, bool strict)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var section in Agent)
        {
            var d = Distance(key.ToUpperInvariant(), section.ToUpperInvariant());
            var allowed = strict ? (section.Length < 6 ? 1 : 2) : Math.Max(2, section.Length / 3);
            var prefix = !strict && key.Length >= 4 && section.StartsWith(key, StringComparison.OrdinalIgnoreCase);
            if ((d <= allowed || prefix) && d < bestDistance)
            {
                (best, bestDistance) = (section, d);
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
