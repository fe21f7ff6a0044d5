using System.Text.RegularExpressions;

namespace Agent.Configuration;

/// <summary>
/// The parsed <see cref="TargetOptions"/>: at most one selector set, the command-line pattern
/// compiled once here and used as is by the selector.
/// </summary>
internal sealed record TargetSettings(int? Pid, string? PidFile, string? ProcessName, Regex? CommandLinePattern, bool IncludeChildren, bool Auto)
{
    /// <summary>No selector set: the agent watches itself (a demo, and a smoke test of a deployment).</summary>
    public bool WatchesSelf => Pid is null && PidFile is null && ProcessName is null && CommandLinePattern is null && !Auto;

    public static TargetSettings Parse(TargetOptions t)
    {
        static string Key(string property) => ConfigKey.Of(TargetOptions.Section, property);
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

        if (t.Auto)
        {
            set.Add(Key(nameof(t.Auto)));
        }

        if (set.Count > 1)
        {
            throw new ConfigurationException(set[1], $"only one target selector may be set, found {string.Join(" and ", set)}");
        }

        return new TargetSettings(t.Pid, t.PidFile, t.ProcessName, pattern, t.IncludeChildren, t.Auto);
    }
}
