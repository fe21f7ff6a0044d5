namespace Agent.Configuration;

/// <summary>The <c>Traffic</c> section: the requests the target serves and sends (rates, errors, latency).</summary>
internal sealed class TrafficOptions
{
    public const string Section = "Traffic";

    /// <summary>.NET targets: add the ASP.NET Core, Kestrel, HttpClient and DNS meters to the runtime's metrics session.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Per target, the most traffic series the agent exports; later label combinations are counted in one overflow series per family.</summary>
    public int MaxSeries { get; set; } = TrafficSettings.DefaultMaxSeries;

    /// <summary>Loopback UDP port of the StatsD listener for gunicorn's <c>--statsd-host</c>; 0 (the default) leaves it off.</summary>
    public int StatsdPort { get; set; }
}
