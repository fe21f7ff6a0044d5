namespace Agent.Configuration;

/// <summary>The parsed <see cref="TrafficOptions"/>: <see cref="StatsdPort"/> is null while the listener is off.</summary>
internal sealed record TrafficSettings(bool Enabled, int MaxSeries, int? StatsdPort)
{
    /// <summary>
    /// 100 series per target: a service of ~30 routes answering with 2 or 3 status codes, its outbound
    /// calls and the gauges. Beyond it Prometheus pays for every pod × series, and the runtime for every
    /// histogram it keeps (<see cref="DotnetRuntimeOptions.MaxHistograms"/>).
    /// </summary>
    public const int DefaultMaxSeries = 100;

    public static TrafficSettings Default { get; } = new(true, DefaultMaxSeries, null);

    public static TrafficSettings Parse(TrafficOptions o)
    {
        static string Key(string property) => ConfigKey.Of(TrafficOptions.Section, property);
        if (o.MaxSeries is < 1 or > 10_000)
        {
            throw new ConfigurationException(Key(nameof(o.MaxSeries)), "must be between 1 and 10000");
        }

        if (o.StatsdPort is < 0 or > 65_535)
        {
            throw new ConfigurationException(Key(nameof(o.StatsdPort)), "must be a UDP port (1-65535), or 0 for no StatsD listener");
        }

        return new TrafficSettings(o.Enabled, o.MaxSeries, o.StatsdPort == 0 ? null : o.StatsdPort);
    }
}
