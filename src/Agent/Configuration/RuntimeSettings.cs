using System.Text.RegularExpressions;

namespace Agent.Configuration;

/// <summary>The parsed <see cref="RuntimeOptions"/>: the federation URL as a <see cref="Uri"/>, the include pattern compiled.</summary>
internal sealed record RuntimeSettings(Uri? MetricsUrl, Regex MetricsInclude, TimeSpan MetricsTimeout, DotnetRuntimeOptions Dotnet)
{
    public static RuntimeSettings Parse(RuntimeOptions o)
    {
        static string Key(string property) => ConfigKey.Of(RuntimeOptions.Section, property);
        var url = HttpUrl.Parse(o.MetricsUrl, Key(nameof(o.MetricsUrl)));
        var include = Patterns.Compile(o.MetricsInclude, Key(nameof(o.MetricsInclude)));
        var timeout = Bounds.Within(o.MetricsTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30), Key(nameof(o.MetricsTimeout)));
        if (o.Dotnet.DiagnosticPort is { } port && (string.IsNullOrWhiteSpace(port) || !Path.IsPathRooted(port)))
        {
            throw new ConfigurationException(ConfigKey.Of(Key(nameof(o.Dotnet)), nameof(o.Dotnet.DiagnosticPort)), "must be an absolute socket path");
        }

        if (o.Dotnet.MaxHistograms is < 1 or > 100_000)
        {
            throw new ConfigurationException(ConfigKey.Of(Key(nameof(o.Dotnet)), nameof(o.Dotnet.MaxHistograms)), "must be between 1 and 100000");
        }

        if (o.Dotnet.MaxTimeSeries is < 1 or > 1_000_000)
        {
            throw new ConfigurationException(ConfigKey.Of(Key(nameof(o.Dotnet)), nameof(o.Dotnet.MaxTimeSeries)), "must be between 1 and 1000000");
        }

        return new RuntimeSettings(url, include, timeout, o.Dotnet);
    }
}
