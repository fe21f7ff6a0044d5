namespace Agent.Configuration;

/// <summary>
/// Rejects keys the agent does not know inside its own sections, so that a typo
/// (<c>Target:ProcesName</c>) stops startup instead of being silently ignored.
/// <c>Probes:&lt;name&gt;:*</c> is checked by ProbeLoader, per kind; <c>Targets:&lt;name&gt;:*</c> by TargetPlan.
/// Sections of ASP.NET Core itself (Logging, Kestrel, urls, ...) are left alone.
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
        [SamplingOptions.Section] = [nameof(SamplingOptions.Interval), nameof(SamplingOptions.ProcRoot), nameof(SamplingOptions.CgroupInterval)],
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
        [ProfilingOptions.Section] = [nameof(ProfilingOptions.Enabled), nameof(ProfilingOptions.Interval), nameof(ProfilingOptions.Window), nameof(ProfilingOptions.PushUrl)],
        [OtlpOptions.Section] = [nameof(OtlpOptions.Endpoint), nameof(OtlpOptions.Protocol), nameof(OtlpOptions.ExportInterval), nameof(OtlpOptions.Headers)],
        [TelemetryOptions.Section] = [nameof(TelemetryOptions.SelfMetrics)],
        [RuntimeOptions.Section] = [nameof(RuntimeOptions.MetricsUrl), nameof(RuntimeOptions.MetricsInclude), nameof(RuntimeOptions.MetricsTimeout), nameof(RuntimeOptions.Dotnet)],
        [ConfigKey.Of(RuntimeOptions.Section, nameof(RuntimeOptions.Dotnet))] = [nameof(DotnetRuntimeOptions.Enabled), nameof(DotnetRuntimeOptions.DiagnosticPort), nameof(DotnetRuntimeOptions.MaxHistograms), nameof(DotnetRuntimeOptions.MaxTimeSeries)],
        [TrafficOptions.Section] = [nameof(TrafficOptions.Enabled), nameof(TrafficOptions.MaxSeries), nameof(TrafficOptions.StatsdPort)],
    };

    /// <summary>Every known section and its keys (for documentation and tests).</summary>
    public static IReadOnlyDictionary<string, string[]> All => Sections;

    /// <summary>
    /// Sections of named entries (<c>Probes:&lt;name&gt;:Kind</c>) and the keys one entry takes, as
    /// their own loaders check them (a probe's keys depend on its kind: here every kind's).
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> Named { get; } = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        [ProbeOptions.Section] = [.. ProbeLoader.CommonKeys.Concat(ProbeLoader.KeysByKind.Values.SelectMany(k => k)).Distinct(StringComparer.OrdinalIgnoreCase)],
        [NamedTargetOptions.Section] = TargetPlan.Keys,
        [TriggerOptions.Section] = TriggerLoader.Keys,
    };

    /// <summary>The placeholder for an entry's name in <see cref="Every"/> (<c>Probes:&lt;name&gt;:Kind</c>).</summary>
    public const string NamePlaceholder = "<name>";

    /// <summary>Every key the agent reads in its own sections, named entries with <see cref="NamePlaceholder"/> for the name.</summary>
    public static IEnumerable<string> Every =>
        Sections.SelectMany(s => s.Value.Select(k => ConfigKey.Of(s.Key, k))).Where(k => !Sections.ContainsKey(k))
            .Concat(Named.SelectMany(s => s.Value.Select(k => ConfigKey.Of(ConfigKey.Of(s.Key, NamePlaceholder), k))));

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
