using Agent.Probes;
using Agent.Readiness;
using Agent.Target;

namespace Agent.Endpoints;

/// <summary>
/// <c>/ready</c>, for the kubelet's readiness probe and load balancers. Answers from the cache at
/// once: no request ever waits on the target or a dependency. HEAD gives the status code alone.
/// </summary>
internal static class ReadyEndpoint
{
    public static IResult Handle(HttpContext http, ReadinessEvaluator evaluator, TargetSnapshotStore target, ProbeResultStore probes, TimeProvider time)
    {
        var report = evaluator.Evaluate(target.Current, probes.Current, target.HasTicked, time.GetUtcNow());
        http.Response.Headers.CacheControl = "no-store";
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return Results.StatusCode(report.StatusCode);
        }

        return Results.Json(report.Body, AgentJsonContext.Default.ReadyResponse, statusCode: report.StatusCode);
    }
}
