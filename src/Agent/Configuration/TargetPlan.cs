namespace Agent.Configuration;

/// <summary>
/// Every target the agent watches: the named ones (<c>Targets:&lt;name&gt;:*</c>), the single-target
/// keys (<c>Target:*</c>, one target named <c>app</c>), and whether Auto discovers the top-level
/// processes of a shared PID namespace (<c>Target:Auto</c>, with <c>Target:AutoProxies</c> added to
/// the known proxies). With nothing configured: one target, <c>app</c>, the agent itself.
/// </summary>
internal sealed record TargetPlan(IReadOnlyList<TargetDefinition> Targets, bool Auto, bool AutoIncludeChildren, IReadOnlyList<string> ExtraProxies)
{
    /// <summary>The keys of one <c>Targets:&lt;name&gt;</c> section: the properties of <see cref="NamedTargetOptions"/>.</summary>
    public static readonly string[] Keys =
    [
        nameof(NamedTargetOptions.Pid), nameof(NamedTargetOptions.PidFile), nameof(NamedTargetOptions.ProcessName),
        nameof(NamedTargetOptions.CommandLinePattern), nameof(NamedTargetOptions.Port), nameof(NamedTargetOptions.IncludeChildren),
        nameof(NamedTargetOptions.Required), nameof(NamedTargetOptions.MetricsUrl),
    ];

    /// <summary>True when the only target is the agent itself (nothing configured).</summary>
    public bool WatchesSelf => !Auto && Targets is [{ Selector.HasSelector: false }];

    public static TargetPlan Load(IConfiguration configuration, TargetSettings single)
    {
        var targets = new List<TargetDefinition>();
        if (single.HasSelector)
        {
            targets.Add(new TargetDefinition(TargetNames.Default, single, Required: true));
        }

        foreach (var section in configuration.GetSection(NamedTargetOptions.Section).GetChildren())
        {
            var prefix = section.Path;
            if (!Names.IsValid(section.Key))
            {
                throw new ConfigurationException(prefix, Names.Rule("target"));
            }

            if (single.HasSelector && string.Equals(section.Key, TargetNames.Default, StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigurationException(prefix, $"the {TargetOptions.Section}:* selector keys already define the target '{TargetNames.Default}'; move them under {prefix} or pick another name");
            }

            foreach (var child in section.GetChildren())
            {
                if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    throw new ConfigurationException(child.Path, $"unknown key; the keys of a target are {string.Join(", ", Keys)}");
                }
            }

            var o = AgentSettings.Bind(prefix, () => section.Get<NamedTargetOptions>() ?? new NamedTargetOptions());
            var parsed = TargetSettings.Parse(
                new TargetOptions { Pid = o.Pid, PidFile = o.PidFile, ProcessName = o.ProcessName, CommandLinePattern = o.CommandLinePattern, Port = o.Port, IncludeChildren = o.IncludeChildren },
                prefix);
            if (!parsed.HasSelector)
            {
                throw new ConfigurationException(prefix, "set one selector: Pid, PidFile, ProcessName, CommandLinePattern or Port");
            }

            var metricsUrl = HttpUrl.Parse(o.MetricsUrl, ConfigKey.Of(prefix, nameof(o.MetricsUrl)));
            targets.Add(new TargetDefinition(section.Key, parsed, o.Required) { MetricsUrl = metricsUrl });
        }

        if (targets.Count == 0 && !single.Auto)
        {
            targets.Add(new TargetDefinition(TargetNames.Default, single, Required: true)); // the agent itself
        }

        return new TargetPlan(targets, single.Auto, single.IncludeChildren, single.AutoProxies);
    }

}
