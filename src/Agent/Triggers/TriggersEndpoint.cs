namespace Agent.Triggers;

/// <summary>
/// <c>GET /diag/triggers</c>: every trigger with its condition, current value, last firing and next
/// possible firing. Mapped with the other <c>/diag</c> routes, only while diagnostics are on, behind
/// their bearer token.
/// </summary>
internal static class TriggersEndpoint
{
    public static IResult Handle(TriggerEngine engine, TimeProvider time) =>
        Results.Json(View(engine, time.GetUtcNow()), TriggerJsonContext.Default.TriggerViewArray);

    public static TriggerView[] View(TriggerEngine engine, DateTimeOffset now) =>
        [.. engine.Triggers.Select(e =>
        {
            var d = e.Definition;
            var s = e.Status();
            var next = s.NextPossible is { } n && n > now ? n : now;
            return new TriggerView(
                d.Name,
                d.Target,
                d.Metric.Name,
                d.Describe(),
                d.Threshold,
                d.Metric.Unit,
                s.State switch
                {
                    TriggerState.ConditionTrue => "condition_true",
                    TriggerState.CoolingDown => "cooling_down",
                    _ => "idle",
                },
                s.Value,
                s.LastFired,
                next,
                s.InFlight,
                s.Firings,
                s.ConsecutiveFailures,
                [.. d.Actions.Select(a => a.ToString().ToLowerInvariant())],
                d.Cooldown,
                d.MaxPerHour);
        })];
}
