namespace Agent.Configuration;

/// <summary>
/// Reads and validates <c>Triggers:&lt;name&gt;:*</c> into <see cref="TriggerDefinition"/>s. Every
/// problem names its key; nothing is half-accepted.
/// </summary>
internal static partial class TriggerLoader
{
    /// <summary>A window is held in memory one sample per interval: bounded so a typo cannot cost megabytes.</summary>
    public const int MaxWindowIntervals = 3600;

    public static TimeSpan DefaultCooldown { get; } = TimeSpan.FromMinutes(10);

    public const int DefaultMaxPerHour = 3;

    /// <summary>The keys of one <c>Triggers:&lt;name&gt;</c> section: the properties of <see cref="TriggerOptions"/>.</summary>
    public static readonly string[] Keys =
    [
        nameof(TriggerOptions.Target), nameof(TriggerOptions.Metric), nameof(TriggerOptions.Above), nameof(TriggerOptions.For), nameof(TriggerOptions.GrowthAbove),
        nameof(TriggerOptions.Window), nameof(TriggerOptions.Actions), nameof(TriggerOptions.Cooldown), nameof(TriggerOptions.MaxPerHour),
    ];

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <param name="configuration">The whole configuration.</param>
    /// <param name="interval">The sampling interval: triggers are evaluated once per tick.</param>
    /// <param name="targets">The names of the configured targets.</param>
    /// <param name="discovers">True under <c>Target:Auto</c>: discovered targets are named at run time, so any valid name is accepted.</param>
    /// <param name="whyNoDotnet">Per target: why .NET-only actions cannot work on it, or null if they may.</param>
    public static IReadOnlyList<TriggerDefinition> Load(IConfiguration configuration, TimeSpan interval, IReadOnlyCollection<string> targets, bool discovers, Func<string, string?> whyNoDotnet)
    {
        var result = new List<TriggerDefinition>();
        foreach (var section in configuration.GetSection(TriggerOptions.Section).GetChildren())
        {
            result.Add(LoadOne(section, interval, targets, discovers, whyNoDotnet));
        }

        return result;
    }

    private static TriggerDefinition LoadOne(IConfigurationSection section, TimeSpan interval, IReadOnlyCollection<string> targets, bool discovers, Func<string, string?> whyNoDotnet)
    {
        var name = section.Key;
        var prefix = section.Path;
        if (!Names.IsValid(name))
        {
            throw new ConfigurationException(prefix, Names.Rule("trigger"));
        }

        if (!section.GetChildren().Any())
        {
            throw new ConfigurationException(prefix, "expected a trigger section with at least Metric and Above or GrowthAbove");
        }

        foreach (var child in section.GetChildren())
        {
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ConfigurationException(child.Path, $"unknown key; the keys of a trigger are {string.Join(", ", Keys)}");
            }

            if (child.GetChildren().Any())
            {
                throw new ConfigurationException(child.Path, "expected a single value, found a section");
            }
        }

        var o = AgentSettings.Bind(prefix, () => section.Get<TriggerOptions>() ?? new TriggerOptions());
        var target = Target(o, prefix, targets, discovers);
        var metric = Metric(o, prefix);
        var (condition, threshold) = Threshold(o, prefix, metric);
        var forDuration = TimeSpan.Zero;
        var window = TimeSpan.Zero;
        if (condition == TriggerCondition.Above)
        {
            if (o.Window is not null)
            {
                throw new ConfigurationException($"{prefix}:Window", "only with GrowthAbove (Above takes For)");
            }

            forDuration = o.For ?? TimeSpan.Zero;
            if (forDuration < TimeSpan.Zero || forDuration > Day)
            {
                throw new ConfigurationException($"{prefix}:For", "must be between 00:00:00 and 1.00:00:00");
            }
        }
        else
        {
            if (o.For is not null)
            {
                throw new ConfigurationException($"{prefix}:For", "only with Above (GrowthAbove takes Window)");
            }

            window = o.Window ?? throw new ConfigurationException($"{prefix}:Window", "required with GrowthAbove: the span the growth is measured over, e.g. 00:05:00");
            if (window < 2 * interval)
            {
                throw new ConfigurationException($"{prefix}:Window", $"must be at least 2 sampling intervals ({(2 * interval):c}): growth needs two samples");
            }

            if (window.Ticks / interval.Ticks > MaxWindowIntervals)
            {
                throw new ConfigurationException($"{prefix}:Window", $"must be at most {MaxWindowIntervals} sampling intervals ({(MaxWindowIntervals * interval):c})");
            }
        }

        var cooldown = o.Cooldown ?? DefaultCooldown;
        if (cooldown < TimeSpan.Zero || cooldown > Day)
        {
            throw new ConfigurationException($"{prefix}:Cooldown", "must be between 00:00:00 and 1.00:00:00");
        }

        var maxPerHour = o.MaxPerHour ?? DefaultMaxPerHour;
        if (maxPerHour is < 1 or > 60)
        {
            throw new ConfigurationException($"{prefix}:MaxPerHour", "must be between 1 and 60");
        }

        var actions = Actions(o, prefix, whyNoDotnet(target));
        return new TriggerDefinition(name, target, metric, condition, threshold, forDuration, window, actions, cooldown, maxPerHour);
    }

    private static string Target(TriggerOptions o, string prefix, IReadOnlyCollection<string> targets, bool discovers)
    {
        var target = o.Target?.Trim() ?? (targets.Count == 1 && !discovers ? targets.First() : TargetNames.Default);
        if (discovers && !targets.Contains(target, StringComparer.Ordinal))
        {
            return Names.IsValid(target)
                ? target
                : throw new ConfigurationException($"{prefix}:Target", $"{Names.Rule("target")}; with Target:Auto a target is named after its comm");
        }

        if (!targets.Contains(target, StringComparer.Ordinal))
        {
            throw new ConfigurationException($"{prefix}:Target", $"no target named '{target}'; the configured targets are {string.Join(", ", targets)}");
        }

        return target;
    }

    private static TriggerMetric Metric(TriggerOptions o, string prefix)
    {
        if (string.IsNullOrWhiteSpace(o.Metric))
        {
            throw new ConfigurationException($"{prefix}:Metric", "required: an exported target metric, e.g. target_process_resident_memory_bytes");
        }

        return TriggerMetricCatalog.TryGet(o.Metric.Trim(), out var metric)
            ? metric
            : throw new ConfigurationException($"{prefix}:Metric", $"unknown metric; a trigger can watch {string.Join(", ", TriggerMetricCatalog.Names)}");
    }

    private static (TriggerCondition Condition, double Threshold) Threshold(TriggerOptions o, string prefix, TriggerMetric metric)
    {
        if (o.Above is not null && o.GrowthAbove is not null)
        {
            throw new ConfigurationException($"{prefix}:GrowthAbove", "set either Above (with For) or GrowthAbove (with Window), not both");
        }

        if (o.Above is null && o.GrowthAbove is null)
        {
            throw new ConfigurationException($"{prefix}:Above", "required: Above (with For) or GrowthAbove (with Window)");
        }

        var growth = o.GrowthAbove is not null;
        var key = growth ? $"{prefix}:GrowthAbove" : $"{prefix}:Above";
        var what = metric.Kind == TriggerMetricKind.Counter ? "a rate per second" : "a value";
        if (!ByteSize.TryParse(growth ? o.GrowthAbove : o.Above, out var value, out var hadUnit))
        {
            throw new ConfigurationException(key, $"must be {what}{(metric.Bytes ? ", optionally with KiB, MiB, GiB or TiB (e.g. 20MiB)" : string.Empty)}");
        }

        if (hadUnit && !metric.Bytes)
        {
            throw new ConfigurationException(key, $"{metric.Name} is not a byte count: give a plain number");
        }

        if (value < 0 || (growth && value == 0))
        {
            throw new ConfigurationException(key, growth ? "must be more than 0" : "must not be negative");
        }

        return (growth ? TriggerCondition.Growth : TriggerCondition.Above, value);
    }

    private static TriggerAction[] Actions(TriggerOptions o, string prefix, string? whyNoDotnet)
    {
        var key = $"{prefix}:Actions";
        var items = (o.Actions ?? "snapshot").Split(',', StringSplitOptions.TrimEntries);
        var actions = new List<TriggerAction>();
        foreach (var item in items)
        {
            var action = item.ToLowerInvariant() switch
            {
                "snapshot" => TriggerAction.Snapshot,
                "stacks" => TriggerAction.Stacks,
                "dump" => TriggerAction.Dump,
                "trace" => TriggerAction.Trace,
                "heap" => TriggerAction.Heap,
                "profile" => TriggerAction.Profile,
                _ => throw new ConfigurationException(key, "must be a comma list of snapshot, stacks, dump, trace, heap, profile"),
            };
            if (actions.Contains(action))
            {
                throw new ConfigurationException(key, $"{item} is listed twice");
            }

            if (action is TriggerAction.Dump or TriggerAction.Trace or TriggerAction.Profile && whyNoDotnet is not null)
            {
                throw new ConfigurationException(key, $"{item} cannot work: {whyNoDotnet}. Use snapshot or stacks");
            }

            actions.Add(action);
        }

        return [.. actions];
    }
}
