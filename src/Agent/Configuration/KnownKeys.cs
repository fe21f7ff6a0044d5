namespace Agent.Configuration;

/// <summary>
/// Rejects keys the agent does not know inside its own sections, so that a typo
/// (<c>Target:ProcesName</c>) stops startup instead of being silently ignored.
/// Probes:<name>:* is checked by ProbeSettings, per kind; Targets:<name>:* by TargetPlan. Sections of ASP.NET Core itself (Logging, Kestrel, urls, ...) are left alone.
/// </summary>
internal static class KnownKeys
{
    // Each key is the name of the options property that binds it: a renamed property renames its
    // key here too, and a test checks that every property of every options type is listed.
    private static readonly Dictionary<string, string[]> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [TargetOptions.Section] =
        [
            nameof(TargetOptions.Pid), nameof(TargetOptions.PidFile), nameof(TargetOptions.ProcessName),
            nameof(TargetOptions.CommandLinePattern), nameof(TargetOptions.Port), nameof(TargetOptions.IncludeChildren), nameof(TargetOptions.Auto),
            nameof(TargetOptions.AutoProxies),
        ],
        [SamplingOptions.Section] = [nameof(SamplingOptions.Interval), nameof(SamplingOptions.ProcRoot)],
        [ReadinessOptions.Section] = [nameof(ReadinessOptions.RequireTarget)],
        [SecurityOptions.Section] =
        [
            nameof(SecurityOptions.MetricsToken), nameof(SecurityOptions.MetricsTokenFile),
            nameof(SecurityOptions.DiagnosticsToken), nameof(SecurityOptions.DiagnosticsTokenFile),
        ],
        [DiagnosticsOptions.Section] =
        [
            nameof(DiagnosticsOptions.Enabled), nameof(DiagnosticsOptions.Directory), nameof(DiagnosticsOptions.MaxBytes), nameof(DiagnosticsOptions.MinFreeBytes),
            nameof(DiagnosticsOptions.Retention), nameof(DiagnosticsOptions.StacksDirectory), nameof(DiagnosticsOptions.MaxTraceDuration),
            nameof(DiagnosticsOptions.HeapWindow),
        ],
        [ProfilingOptions.Section] = [nameof(ProfilingOptions.Enabled), nameof(ProfilingOptions.Interval), nameof(ProfilingOptions.Window)],
        [OtlpOptions.Section] = [nameof(OtlpOptions.Endpoint), nameof(OtlpOptions.Protocol), nameof(OtlpOptions.ExportInterval), nameof(OtlpOptions.Headers)],
        [TelemetryOptions.Section] = [nameof(TelemetryOptions.SelfMetrics)],
        [RuntimeOptions.Section] = [nameof(RuntimeOptions.MetricsUrl), nameof(RuntimeOptions.MetricsInclude), nameof(RuntimeOptions.MetricsTimeout), nameof(RuntimeOptions.Dotnet)],
        [ConfigKey.Of(RuntimeOptions.Section, nameof(RuntimeOptions.Dotnet))] = [nameof(DotnetRuntimeOptions.Enabled), nameof(DotnetRuntimeOptions.DiagnosticPort)],
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
