namespace Agent.Configuration;

/// <summary>
/// One endpoint federation scrapes: a named target's <c>Targets:&lt;name&gt;:MetricsUrl</c> (its
/// <see cref="Key"/> is the target's name), or <c>Runtime:MetricsUrl</c>, the primary target's
/// (key <see cref="PrimaryKey"/>: the primary is resolved when series are read, as it can change
/// under Auto). Its series carry the <c>target</c> label the runtime side resolves from the snapshot
/// (<c>Runtimes.FederationTargets</c>).
/// </summary>
internal sealed record FederationEndpoint(string Key, Uri Url, string ConfigKeyName)
{
    public const string PrimaryKey = "";

    /// <summary>
    /// Every endpoint configured. Two endpoints for one target are refused: <c>Runtime:MetricsUrl</c>
    /// beside a <c>Targets:&lt;name&gt;:MetricsUrl</c> of the target that is the primary.
    /// </summary>
    public static IReadOnlyList<FederationEndpoint> From(RuntimeSettings runtime, TargetPlan plan)
    {
        var all = new List<FederationEndpoint>();
        var byName = plan.Targets.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        foreach (var t in byName)
        {
            if (t.MetricsUrl is { } url)
            {
                all.Add(new FederationEndpoint(t.Name, url, ConfigKey.Of(ConfigKey.Of(NamedTargetOptions.Section, t.Name), nameof(NamedTargetOptions.MetricsUrl))));
            }
        }

        if (runtime.MetricsUrl is { } primaryUrl)
        {
            var key = ConfigKey.Of(RuntimeOptions.Section, nameof(RuntimeOptions.MetricsUrl));
            var primary = plan.Targets.FirstOrDefault(t => t.Name == TargetNames.Default)
                ?? (plan.Auto ? null : byName.FirstOrDefault());
            if (primary?.MetricsUrl is not null)
            {
                throw new ConfigurationException(key, $"is the primary target's endpoint, and that target ('{primary.Name}') already has {ConfigKey.Of(NamedTargetOptions.Section, primary.Name)}:{nameof(NamedTargetOptions.MetricsUrl)}; set only one");
            }

            all.Add(new FederationEndpoint(PrimaryKey, primaryUrl, key));
        }

        return all;
    }
}
