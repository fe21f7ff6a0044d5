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
        var html = new StringBuilder();
        html
            .Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>sidecar agent</title></head><body>")
            .Append("<h1>sidecar agent ").Append(WebUtility.HtmlEncode(version)).Append("</h1>")
            .Append("<p>Targets:</p><ul>");
        foreach (var t in snapshot.Targets)
        {
            var what = t.Sample is { } s
                ? string.Create(CultureInfo.InvariantCulture, $"pid {s.Identity.Pid} ({s.Name}), {s.ProcessCount} process(es), restarts {t.Restarts}")
                : $"none: {t.Problem}";
            html.Append("<li>").Append(WebUtility.HtmlEncode(t.Name)).Append(" (").Append(WebUtility.HtmlEncode(t.Selector)).Append(t.Required ? string.Empty : ", optional")
                .Append("): ").Append(WebUtility.HtmlEncode(what)).Append("</li>");
        }

        html.Append("</ul>")
            .Append("<ul>")
            .Append("<li><a href=\"/metrics\">/metrics</a> Prometheus exposition</li>")
            .Append("<li><a href=\"/ready\">/ready</a> readiness: target present, critical dependencies reachable</li>")
            .Append("<li><a href=\"/health\">/health</a> liveness of the agent itself</li>")
            .Append("</ul></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }
}
