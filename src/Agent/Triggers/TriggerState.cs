namespace Agent.Triggers;

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
