using Agent.Common;

namespace Agent.Configuration;

/// <summary>The validated <c>Diagnostics</c> section and the token that guards /diag.</summary>
/// <param name="Enabled">True when the /diag routes are served.</param>
/// <param name="Token">Security:DiagnosticsToken(File), else Security:MetricsToken(File); never null when enabled.</param>
internal sealed record DiagnosticsSettings(
    bool Enabled,
    string Directory,
    long MaxBytes,
    long MinFreeBytes,
    TimeSpan Retention,
    string StacksDirectory,
    TimeSpan MaxTraceDuration,
    Secret? Token)
{
    /// <summary>How long a triggered heap capture (and a Python one without <c>seconds</c>) measures growth.</summary>
    public TimeSpan HeapWindow { get; init; } = TimeSpan.FromSeconds(30);

    public static DiagnosticsSettings Disabled { get; } = new(false, new DiagnosticsOptions().Directory, 0, 0, TimeSpan.Zero, "/tmp", TimeSpan.Zero, null);

    public static DiagnosticsSettings Create(DiagnosticsOptions o, Secret? diagnosticsToken, Secret? metricsToken)
    {
        const string s = DiagnosticsOptions.Section;
        var token = diagnosticsToken ?? metricsToken;
        if (o.Enabled == true && token is null)
        {
            throw new ConfigurationException($"{s}:Enabled", "diagnostics need a bearer token: set Security:DiagnosticsToken (or Security:MetricsToken), or their *File variants; dumps hold the target's memory");
        }

        if (string.IsNullOrWhiteSpace(o.Directory) || !Path.IsPathRooted(o.Directory))
        {
            throw new ConfigurationException($"{s}:Directory", "must be an absolute path");
        }

        if (string.IsNullOrWhiteSpace(o.StacksDirectory) || !Path.IsPathRooted(o.StacksDirectory))
        {
            throw new ConfigurationException($"{s}:StacksDirectory", "must be an absolute path");
        }

        if (o.MaxBytes < 1024 * 1024)
        {
            throw new ConfigurationException($"{s}:MaxBytes", "must be at least 1048576 (1 MiB)");
        }

        if (o.MinFreeBytes < 0)
        {
            throw new ConfigurationException($"{s}:MinFreeBytes", "must not be negative");
        }

        if (o.Retention < TimeSpan.FromMinutes(1))
        {
            throw new ConfigurationException($"{s}:Retention", "must be at least 00:01:00");
        }

        if (o.MaxTraceDuration < TimeSpan.FromSeconds(1) || o.MaxTraceDuration > TimeSpan.FromHours(1))
        {
            throw new ConfigurationException($"{s}:MaxTraceDuration", "must be between 00:00:01 and 01:00:00");
        }

        if (o.HeapWindow < TimeSpan.FromSeconds(1) || o.HeapWindow > o.MaxTraceDuration)
        {
            throw new ConfigurationException($"{s}:{nameof(DiagnosticsOptions.HeapWindow)}", $"must be between 00:00:01 and {s}:MaxTraceDuration ({o.MaxTraceDuration})");
        }

        var enabled = o.Enabled ?? token is not null;
        return new DiagnosticsSettings(enabled, o.Directory, o.MaxBytes, o.MinFreeBytes, o.Retention, o.StacksDirectory, o.MaxTraceDuration, enabled ? token : null) { HeapWindow = o.HeapWindow };
    }
}
