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
