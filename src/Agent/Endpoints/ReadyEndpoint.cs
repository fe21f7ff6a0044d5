using Agent.Probes;
using Agent.Readiness;
using Agent.Sampling;

namespace Agent.Endpoints;

/// <summary>
/// <c>/ready</c>, for the kubelet's readiness probe and load balancers. Answers from the cache at
/// once: no request ever waits on the target or a dependency. HEAD gives the status code alone.
/// </summary>
internal static class ReadyEndpoint
{
    public static IResult Handle(HttpContext http, ReadinessEvaluator evaluator, TargetSnapshotStore target, ProbeResultStore probes, TimeProvider time, BearerToken token)
    {
        var report = evaluator.Evaluate(target.Current, probes.Current, target.HasTicked, time.GetUtcNow());
        http.Response.Headers.CacheControl = "no-store";
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return Results.StatusCode(report.StatusCode);
        }

        // With a token configured the status stays open for the kubelet, the details do not.
        var body = token.Allows(http.Request) ? report.Body : report.Body with { TotalDuration = "00:00:00", Entries = new Dictionary<string, ReadyEntry>() };
        return Results.Json(body, AgentJsonContext.Default.ReadyResponse, statusCode: report.StatusCode);
    }
}
