namespace Agent.Triggers;

/// <summary>One entry of <c>GET /diag/triggers</c>.</summary>
/// <param name="Name">The trigger's name (the <c>trigger</c> label).</param>
/// <param name="Target">The target it watches.</param>
/// <param name="Metric">The exported metric it reads.</param>
/// <param name="Condition">The condition for humans.</param>
/// <param name="Threshold">In the metric's unit (a counter: per second).</param>
/// <param name="Unit">bytes, bytes/s, /s or empty.</param>
/// <param name="State">idle, condition_true or cooling_down (the gauge's 0, 1, 2).</param>
/// <param name="Value">The compared quantity at the last tick (value, rate or growth); null while unknown.</param>
/// <param name="LastFiring">When it last fired; null if never.</param>
/// <param name="NextPossibleFiring">The earliest time it may fire again (now if nothing holds it back).</param>
/// <param name="Capturing">True while the last firing's captures run (no firing until they end).</param>
/// <param name="Firings">Firings since the agent started.</param>
/// <param name="ConsecutiveFailures">Firings in a row whose captures failed.</param>
/// <param name="Actions">What a firing captures, in order.</param>
/// <param name="Cooldown">At most one firing per this long.</param>
/// <param name="MaxPerHour">At most this many firings in any hour.</param>
internal sealed record TriggerView(
    string Name,
    string Target,
    string Metric,
    string Condition,
    double Threshold,
    string Unit,
    string State,
    double? Value,
    DateTimeOffset? LastFiring,
    DateTimeOffset NextPossibleFiring,
    bool Capturing,
    long Firings,
    int ConsecutiveFailures,
    IReadOnlyList<string> Actions,
    TimeSpan Cooldown,
    int MaxPerHour);
