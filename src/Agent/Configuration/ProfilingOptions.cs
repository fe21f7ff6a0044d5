namespace Agent.Configuration;

/// <summary>The <c>Profiling</c> section: continuous CPU profiles of each target (.NET; Python with the hook), a window every interval (served under /diag, so only with diagnostics on).</summary>
internal sealed class ProfilingOptions
{
    public const string Section = "Profiling";

    /// <summary>
    /// On: a window every interval. Off by default, switched on deliberately: profiles show code names
    /// and a .NET target runs ~5 % slower while a window samples it (docs/benchmarks.md); an
    /// on-demand <c>/diag/profile?seconds=</c> works either way.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>How often a window starts; the target pays nothing between windows.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long each window samples.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A Pyroscope server (or Grafana Alloy's <c>pyroscope.receive_http</c>) to push each kept window
    /// to, through its HTTP <c>/ingest</c> API; user info in the URL is sent as Basic authentication.
    /// </summary>
    public string? PushUrl { get; set; }
}

/// <summary>The validated <c>Profiling</c> section.</summary>
internal sealed record ProfilingSettings(bool Enabled, TimeSpan Interval, TimeSpan Window, Uri? PushUrl = null)
{
    /// <summary>How far back windows are kept per target (then dropped, oldest first).</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromMinutes(15);

    public static ProfilingSettings Default { get; } = Create(new ProfilingOptions());

    /// <summary>Windows kept per target: 15 minutes' worth, and one more for the window being replaced.</summary>
    public int MaxWindows => (int)Math.Ceiling(Kept / Interval) + 1;

    public static ProfilingSettings Create(ProfilingOptions o)
    {
        static string Key(string property) => ConfigKey.Of(ProfilingOptions.Section, property);
        Bounds.Within(o.Interval, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), Key(nameof(o.Interval)));
        if (o.Window < TimeSpan.FromSeconds(1) || o.Window > o.Interval / 2)
        {
            throw new ConfigurationException(Key(nameof(o.Window)), $"must be between 00:00:01 and half of {Key(nameof(o.Interval))} ({o.Interval / 2})");
        }

        var push = HttpUrl.Parse(o.PushUrl, Key(nameof(o.PushUrl)), credentials: "Basic authentication");
        return new ProfilingSettings(o.Enabled, o.Interval, o.Window, push);
    }
}
