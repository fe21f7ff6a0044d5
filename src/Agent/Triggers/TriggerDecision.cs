namespace Agent.Triggers;

/// <summary>What one tick's evaluation of a trigger concluded.</summary>
/// <param name="State">Idle, condition true or cooling down.</param>
/// <param name="Value">The compared quantity (the value, its rate, or its growth), null while unknown.</param>
/// <param name="Fire">True on the tick the trigger fires; limits are already charged.</param>
internal readonly record struct TriggerDecision(TriggerState State, double? Value, bool Fire);
