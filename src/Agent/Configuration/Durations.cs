namespace Agent.Configuration;

/// <summary>
/// The one rule for how a duration is written: <c>hh:mm:ss[.fff]</c> (or <c>d.hh:mm:ss</c>). The
/// binder reads a bare number as a .NET <see cref="TimeSpan"/> in <em>days</em> — <c>Timeout=5</c>
/// would mean 5 days — and reading it as seconds instead would silently change the meaning of every
/// existing configuration written the .NET way. A bare number is therefore refused before binding,
/// naming the key and the accepted forms.
/// </summary>
internal static class Durations
{
    /// <summary>The duration keys of each section: the <see cref="TimeSpan"/> properties of its options type.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> KeysBySection = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        [SamplingOptions.Section] = [nameof(SamplingOptions.Interval), nameof(SamplingOptions.CgroupInterval)],
        [RuntimeOptions.Section] = [nameof(RuntimeOptions.MetricsTimeout)],
        [OtlpOptions.Section] = [nameof(OtlpOptions.ExportInterval)],
        [DiagnosticsOptions.Section] = [nameof(DiagnosticsOptions.Retention), nameof(DiagnosticsOptions.MaxTraceDuration), nameof(DiagnosticsOptions.HeapWindow)],
        [ProfilingOptions.Section] = [nameof(ProfilingOptions.Interval), nameof(ProfilingOptions.Window)],
        [ProbeOptions.Section] = [nameof(ProbeOptions.Timeout), nameof(ProbeOptions.Period)], // Probes:<name>:<key>
        [TriggerOptions.Section] = [nameof(TriggerOptions.For), nameof(TriggerOptions.Window), nameof(TriggerOptions.Cooldown)], // Triggers:<name>:<key>
    };

    /// <summary>Sections whose duration keys sit one level down, under a name.</summary>
    private static readonly string[] Named = [ProbeOptions.Section, TriggerOptions.Section];

    public const string Forms = "write a duration as hh:mm:ss[.fff], e.g. 00:00:05 for 5 seconds or 00:00:00.250 for 250 ms (d.hh:mm:ss for days)";

    /// <summary>Throws naming the first duration key whose value is a bare number (no ':').</summary>
    public static void RefuseBareNumbers(IConfiguration configuration)
    {
        foreach (var (section, keys) in KeysBySection)
        {
            var parents = Named.Contains(section, StringComparer.OrdinalIgnoreCase)
                ? configuration.GetSection(section).GetChildren()
                : [configuration.GetSection(section)];
            foreach (var parent in parents)
            {
                foreach (var key in keys)
                {
                    var child = parent.GetSection(key);
                    if (child.Value is { } value && !value.Contains(':', StringComparison.Ordinal))
                    {
                        throw new ConfigurationException(child.Path, $"'{value.Trim()}' is a bare number, which .NET would read as days: {Forms}");
                    }
                }
            }
        }
    }
}
