namespace Agent.Configuration;

/// <summary>
/// One entry of the <c>Triggers</c> section, <c>Triggers:&lt;name&gt;:*</c>, as written. Values that
/// carry a unit (<c>20MiB</c>) or a list (<c>snapshot,stacks</c>) stay strings here and are parsed
/// into a <see cref="TriggerDefinition"/> by <see cref="TriggerLoader"/>.
/// </summary>
internal sealed class TriggerOptions
{
    public const string Section = "Triggers";

    /// <summary>The target's name; the single <c>Target:*</c> selector names its target <c>app</c>.</summary>
    public string? Target { get; set; }

    /// <summary>An exported metric name, e.g. <c>target_process_resident_memory_bytes</c>.</summary>
    public string? Metric { get; set; }

    /// <summary>Threshold for "above" (a counter: its rate per second); sizes accept KiB, MiB, GiB.</summary>
    public string? Above { get; set; }

    /// <summary>How long the value must stay above <see cref="Above"/> (0: the first tick).</summary>
    public TimeSpan? For { get; set; }

    /// <summary>Threshold for growth: the latest value minus the minimum within <see cref="Window"/>.</summary>
    public string? GrowthAbove { get; set; }

    public TimeSpan? Window { get; set; }

    /// <summary>Comma list of snapshot, stacks, dump, trace, heap.</summary>
    public string? Actions { get; set; }

    public TimeSpan? Cooldown { get; set; }

    public int? MaxPerHour { get; set; }
}
