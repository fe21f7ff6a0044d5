using System.Diagnostics.Metrics;
using Agent.Triggers;

namespace Agent.Telemetry;

/// <summary>
/// The triggers' own metrics. <c>agent_trigger_state{trigger}</c>: 0 idle, 1 condition true,
/// 2 cooling down; <c>agent_trigger_firings_total{trigger}</c>: firings, whatever their actions'
/// outcome (each capture's result is <c>agent_diagnostics_captures_total</c>).
/// </summary>
internal sealed class TriggerMetrics : IDisposable
{
    public const string MeterName = "Agent.Triggers";

    private readonly Meter _meter;
    private readonly TriggerEngine _engine;

    public TriggerMetrics(IMeterFactory meterFactory, TriggerEngine engine)
    {
        _engine = engine;
        _meter = meterFactory.Create(MeterName, typeof(TriggerMetrics).Assembly.GetName().Version?.ToString(3));

        // agent_trigger_state{trigger}
        _meter.CreateObservableGauge("agent.trigger.state", State, null, "Trigger state: 0 idle, 1 condition true, 2 cooling down (Cooldown, MaxPerHour, back-off or actions running)");

        // agent_trigger_firings_total{trigger}
        _meter.CreateObservableCounter("agent.trigger.firings", Firings, null, "Times the trigger fired (its captures are counted in agent_diagnostics_captures_total)");
    }

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Label(string trigger) => new("trigger", trigger);

    private IEnumerable<Measurement<int>> State()
    {
        var triggers = _engine.Triggers;
        var result = new Measurement<int>[triggers.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new Measurement<int>((int)triggers[i].State, Label(triggers[i].Definition.Name));
        }

        return result;
    }

    /// <summary>The engine counts (each trigger from 0, so that rate() sees the first firing); this only reads.</summary>
    private IEnumerable<Measurement<long>> Firings()
    {
        foreach (var (trigger, count) in _engine.Firings.Snapshot())
        {
            yield return new Measurement<long>(count, Label(trigger));
        }
    }
}
