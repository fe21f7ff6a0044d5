using System.Globalization;
using System.Net;
using System.Text;
using Agent.Sampling;

namespace Agent.Endpoints;

/// <summary><c>/</c>: what this is, where its endpoints are, and what it is watching.</summary>
internal static class LandingPage
{
    public static IResult Handle(TargetSnapshotStore store)
    {
        var snapshot = store.Current;
        var version = typeof(LandingPage).Assembly.GetName().Version?.ToString(3) ?? "unknown";
        var target = snapshot.Sample is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"pid {s.Identity.Pid} ({s.Name}), {s.ProcessCount} process(es), restarts {snapshot.Restarts}")
            : $"none: {snapshot.Problem}";
        var html = new StringBuilder()
            .Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>sidecar agent</title></head><body>")
            .Append("<h1>sidecar agent ").Append(WebUtility.HtmlEncode(version)).Append("</h1>")
            .Append("<p>Target (").Append(WebUtility.HtmlEncode(snapshot.Selector)).Append("): ").Append(WebUtility.HtmlEncode(target)).Append("</p>")
            .Append("<ul>")
            .Append("<li><a href=\"/metrics\">/metrics</a> Prometheus exposition</li>")
            .Append("<li><a href=\"/ready\">/ready</a> readiness: target present, critical dependencies reachable</li>")
            .Append("<li><a href=\"/health\">/health</a> liveness of the agent itself</li>")
            .Append("</ul></body></html>")
            .ToString();
        return Results.Content(html, "text/html; charset=utf-8");
    }
}
