using Agent.Common;
using Agent.Sampling;

namespace Agent.Endpoints;

/// <summary>
/// <c>/health</c>, for the kubelet's liveness probe: is the agent itself alive? True while the
/// sampling loop finished a tick within 3 intervals. Never looks at dependencies, and a missing
/// target is not a liveness failure (restarting the agent would not bring the target back).
/// </summary>
internal static class HealthEndpoint
{
    public static IResult Handle(TargetSnapshotStore store, SamplingSchedule schedule, TimeProvider time)
    {
        var snapshot = store.Current;
        var age = time.GetUtcNow() - snapshot.TakenAt;
        var sample = snapshot.Primary?.Sample;
        if (store.HasTicked && age <= schedule.LivenessWindow)
        {
            return Results.Json(new HealthResponse(HealthState.Healthy, Math.Round(age.TotalSeconds, 3), null, sample is not null, sample?.Identity.Pid), AgentJsonContext.Default.HealthResponse);
        }

        var reason = store.HasTicked
            ? $"sampling loop stalled: last tick {age.TotalSeconds:F1}s ago, limit {schedule.LivenessWindow.TotalSeconds:F1}s"
            : $"sampling loop has not completed a tick in {age.TotalSeconds:F1}s";
        return Results.Json(
            new HealthResponse(HealthState.Unhealthy, Math.Round(age.TotalSeconds, 3), reason, sample is not null, sample?.Identity.Pid),
            AgentJsonContext.Default.HealthResponse,
            statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
