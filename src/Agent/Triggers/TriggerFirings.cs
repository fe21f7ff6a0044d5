using Agent.Common;

namespace Agent.Triggers;

/// <summary>Firings per trigger since start (<c>agent_trigger_firings_total</c>); each trigger's starts at 0 so that rate() sees the first firing.</summary>
internal sealed class TriggerFirings : Totals<string>
{
    public TriggerFirings(IEnumerable<string> triggers)
    {
        foreach (var t in triggers)
        {
            Add(t, 0);
        }
    }

    public void Fired(string trigger) => Add(trigger, 1);
}
