using System.Globalization;

namespace Agent.Configuration;

/// <summary>
/// A validated trigger: <c>Triggers:&lt;name&gt;:*</c> parsed once into typed values.
/// </summary>
/// <param name="Name">The trigger's name (the <c>trigger</c> label).</param>
/// <param name="Target">The target it watches and captures.</param>
/// <param name="Metric">What it reads on each tick.</param>
/// <param name="Condition">Above a value for a duration, or growth within a window.</param>
/// <param name="Threshold">In the metric's unit (a counter: per second).</param>
/// <param name="For">Above: how long the value must stay above the threshold.</param>
/// <param name="Window">Growth: the span whose minimum the latest value is compared with.</param>
/// <param name="Actions">What is captured, in this order.</param>
/// <param name="Cooldown">At most one firing per this long.</param>
/// <param name="MaxPerHour">At most this many firings within any hour.</param>
internal sealed record TriggerDefinition(
    string Name,
    string Target,
    TriggerMetric Metric,
    TriggerCondition Condition,
    double Threshold,
    TimeSpan For,
    TimeSpan Window,
    IReadOnlyList<TriggerAction> Actions,
    TimeSpan Cooldown,
    int MaxPerHour)
{
    /// <summary>The condition for humans, e.g. <c>target_process_resident_memory_bytes grew by more than 20 MiB within 00:00:15</c>.</summary>
    public string Describe()
    {
        var threshold = Metric.Bytes ? ByteSize.Format(Threshold) : Threshold.ToString("G6", CultureInfo.InvariantCulture);
        var rate = Metric.Kind == TriggerMetricKind.Counter ? "rate of " : string.Empty;
        var perSecond = Metric.Kind == TriggerMetricKind.Counter ? "/s" : string.Empty;
        return Condition == TriggerCondition.Growth
            ? string.Create(CultureInfo.InvariantCulture, $"{rate}{Metric.Name} grew by more than {threshold}{perSecond} within {Window:c}")
            : string.Create(CultureInfo.InvariantCulture, $"{rate}{Metric.Name} above {threshold}{perSecond} for {For:c}");
    }
}

/// <summary>What a trigger captures when it fires (the evidence kinds of the diagnostics feature).</summary>
internal enum TriggerAction
{
    /// <summary>Process snapshot: memory, threads, fds, limits, cgroup; any runtime.</summary>
    Snapshot,

    /// <summary>Every thread's stack: Python through the faulthandler opt-in, .NET over EventPipe.</summary>
    Stacks,

    /// <summary>A .NET core dump over the diagnostic channel.</summary>
    Dump,

    /// <summary>A .NET EventPipe trace.</summary>
    Trace,

    /// <summary>What grows over <c>Diagnostics:HeapWindow</c>: Python allocation sites (hook), .NET types and their holders.</summary>
    Heap,

    /// <summary>A .NET CPU profile: the windows kept before the firing and one recorded during it (pprof).</summary>
    Profile,
}

/// <summary>The two kinds of condition a trigger can hold (a counter is compared as a rate in either).</summary>
internal enum TriggerCondition
{
    /// <summary>The value above <c>Above</c> for at least <c>For</c>.</summary>
    Above,

    /// <summary>The latest value minus the minimum within <c>Window</c> above <c>GrowthAbove</c> (the leak case).</summary>
    Growth,
}
