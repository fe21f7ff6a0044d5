namespace Agent.Configuration;

/// <summary>
/// Rejects keys the agent does not know inside its own sections, so that a typo
/// (<c>Target:ProcesName</c>) stops startup instead of being silently ignored.
/// Probes:<name>:* is checked by ProbeSettings, per kind. Sections of ASP.NET Core itself (Logging, Kestrel, urls, ...) are left alone.
/// </summary>
internal static class KnownKeys
{
    private static readonly Dictionary<string, string[]> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [TargetOptions.Section] = ["Pid", "PidFile", "ProcessName", "CommandLinePattern", "IncludeChildren", "Auto"],
        [SamplingOptions.Section] = ["Interval", "ProcRoot"],
        [ReadinessOptions.Section] = ["RequireTarget"],
        [SecurityOptions.Section] = ["MetricsToken", "MetricsTokenFile", "DiagnosticsToken", "DiagnosticsTokenFile"],
        [DiagnosticsOptions.Section] = ["Enabled", "Directory", "MaxBytes", "MinFreeBytes", "Retention", "StacksDirectory", "MaxTraceDuration"],
        [OtlpOptions.Section] = ["Endpoint", "Protocol", "ExportInterval", "Headers"],
        [RuntimeOptions.Section] = ["MetricsUrl", "MetricsInclude", "MetricsTimeout", "Dotnet"],
        [RuntimeOptions.Section + ":Dotnet"] = ["Enabled", "DiagnosticPort"],
    };

    /// <summary>Every known section and its keys (for documentation and tests).</summary>
    public static IReadOnlyDictionary<string, string[]> All => Sections;

    public static void Validate(IConfiguration configuration)
    {
        foreach (var (section, keys) in Sections)
        {
            foreach (var child in configuration.GetSection(section).GetChildren())
            {
                if (!keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    throw new ConfigurationException(
                        child.Path,
                        $"unknown key; known keys of {section} are {string.Join(", ", keys)}");
                }

                if (child.GetChildren().Any() && !Sections.ContainsKey(child.Path))
                {
                    throw new ConfigurationException(child.Path, "expected a single value, found a section");
                }
            }
        }
    }
}
