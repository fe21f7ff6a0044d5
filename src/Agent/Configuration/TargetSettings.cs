using System.Text.RegularExpressions;

namespace Agent.Configuration;

/// <summary>
/// The parsed <see cref="TargetOptions"/> (or one <c>Targets:&lt;name&gt;</c> section): at most one
/// selector set, the command-line pattern compiled once here and used as is by the selector.
/// </summary>
internal sealed record TargetSettings(int? Pid, string? PidFile, string? ProcessName, Regex? CommandLinePattern, int? Port, bool IncludeChildren, bool Auto, IReadOnlyList<string> AutoProxies)
{
    /// <summary>No selector set: the agent watches itself (a demo, and a smoke test of a deployment).</summary>
    public bool WatchesSelf => !HasSelector && !Auto;

    /// <summary>One of Pid, PidFile, ProcessName, CommandLinePattern or Port is set.</summary>
    public bool HasSelector => Pid is not null || PidFile is not null || ProcessName is not null || CommandLinePattern is not null || Port is not null;

    /// <param name="section">Where the keys live: <c>Target</c>, or <c>Targets:&lt;name&gt;</c> for a named target.</param>
    public static TargetSettings Parse(TargetOptions t, string section = TargetOptions.Section)
    {
        string Key(string property) => ConfigKey.Of(section, property);
        var set = new List<string>();
        if (t.Pid is not null)
        {
            set.Add(Key(nameof(t.Pid)));
            if (t.Pid <= 0)
            {
                throw new ConfigurationException(Key(nameof(t.Pid)), "must be a positive process id");
            }
        }

        if (t.PidFile is not null)
        {
            set.Add(Key(nameof(t.PidFile)));
            if (string.IsNullOrWhiteSpace(t.PidFile))
            {
                throw new ConfigurationException(Key(nameof(t.PidFile)), "must be a file path, not empty");
            }
        }

        if (t.ProcessName is not null)
        {
            set.Add(Key(nameof(t.ProcessName)));
            if (string.IsNullOrWhiteSpace(t.ProcessName) || t.ProcessName.Contains('/', StringComparison.Ordinal))
            {
                throw new ConfigurationException(Key(nameof(t.ProcessName)), "must be a process or executable file name (no '/'), not empty");
            }
        }

        Regex? pattern = null;
        if (t.CommandLinePattern is not null)
        {
            set.Add(Key(nameof(t.CommandLinePattern)));
            if (string.IsNullOrWhiteSpace(t.CommandLinePattern))
            {
                throw new ConfigurationException(Key(nameof(t.CommandLinePattern)), "must be a regular expression, not empty");
            }

            pattern = Patterns.Compile(t.CommandLinePattern, Key(nameof(t.CommandLinePattern)));
        }

        if (t.Port is not null)
        {
            set.Add(Key(nameof(t.Port)));
            if (t.Port is < 1 or > 65535)
            {
                throw new ConfigurationException(Key(nameof(t.Port)), "must be a TCP port (1-65535)");
            }
        }

        if (t.Auto)
        {
            set.Add(Key(nameof(t.Auto)));
        }

        if (set.Count > 1)
        {
            throw new ConfigurationException(set[1], $"only one target selector may be set, found {string.Join(" and ", set)}; name more targets under {NamedTargetOptions.Section}:<name>");
        }

        var proxies = (t.AutoProxies ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (proxies.Length > 0 && !t.Auto)
        {
            throw new ConfigurationException(Key(nameof(t.AutoProxies)), $"only used with {Key(nameof(t.Auto))}=true");
        }

        if (proxies.Any(p => p.Length > 15 || p.Contains('/', StringComparison.Ordinal)))
        {
            throw new ConfigurationException(Key(nameof(t.AutoProxies)), "a comma-separated list of process names (comm, at most 15 characters each)");
        }

        return new TargetSettings(t.Pid, t.PidFile is null ? null : ConfigPath.Full(t.PidFile), t.ProcessName, pattern, t.Port, t.IncludeChildren, t.Auto, proxies);
    }
}
