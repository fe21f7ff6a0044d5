using Agent.Endpoints;

namespace Agent.Triggers;

/// <summary>
/// <c>GET /diag/triggers</c>: every trigger with its condition, current value, last firing and next
/// possible firing. Like every <c>/diag</c> route it needs the bearer token, and without a token
/// configured it does not exist (404).
/// </summary>
internal static class TriggersEndpoint
{
    public static IResult Handle(HttpContext context, TriggerEngine engine, BearerToken token, TimeProvider time)
    {
        if (!token.Required)
        {
            return Results.NotFound();
        }

        if (!token.Allows(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"diagnostics\"";
            return Results.Unauthorized();
        }

        return Results.Json(View(engine, time.GetUtcNow()), TriggerJsonContext.Default.TriggerViewArray);
    }

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
