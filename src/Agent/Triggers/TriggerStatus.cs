namespace Agent.Triggers;

// /diag/triggers as TriggerJsonContext writes it.

/// <summary>A trigger as <c>GET /diag/triggers</c> and the state gauge see it.</summary>
/// <param name="Name">The trigger's name.</param>
/// <param name="State">Idle, condition true or cooling down.</param>
/// <param name="Value">The compared quantity at the last tick; null while unknown.</param>
/// <param name="LastFired">When it last fired, null if never.</param>
/// <param name="NextPossible">The earliest next firing; null if it never fired (it may fire at once).</param>
/// <param name="Firings">Firings since the agent started.</param>
/// <param name="ConsecutiveFailures">Firings in a row whose actions failed (the back-off grows with it).</param>
/// <param name="InFlight">True while the last firing's actions run.</param>
internal sealed record TriggerStatus(
    string Name,
    TriggerState State,
    double? Value,
    DateTimeOffset? LastFired,
    DateTimeOffset? NextPossible,
    long Firings,
    int ConsecutiveFailures,
    bool InFlight);

/// <summary>The value of <c>agent_trigger_state{trigger}</c>.</summary>
internal enum TriggerState
{
    /// <summary>The condition is false and the trigger may fire.</summary>
    Idle = 0,

    /// <summary>The condition holds (or is building up its For) and nothing stops a firing.</summary>
    ConditionTrue = 1,

    /// <summary>Fired recently: waiting for Cooldown, MaxPerHour, a back-off after failures, or its actions.</summary>
    CoolingDown = 2,
}
