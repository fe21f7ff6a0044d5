namespace Agent.Configuration;

/// <summary>The <c>Runtime</c> section: counters from inside the target's runtime.</summary>
internal sealed class RuntimeOptions
{
    public const string Section = "Runtime";

    /// <summary>The target's own Prometheus endpoint, e.g. <c>http://127.0.0.1:8000/metrics</c>.</summary>
    public string? MetricsUrl { get; set; }

    /// <summary>Regex over family names to re-expose with a <c>target_</c> prefix.</summary>
    public string MetricsInclude { get; set; } = "^python_";

    /// <summary>Hard deadline of one scrape of <see cref="MetricsUrl"/>.</summary>
    public TimeSpan MetricsTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    public DotnetRuntimeOptions Dotnet { get; set; } = new();
}
