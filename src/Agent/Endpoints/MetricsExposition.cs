using System.Text;
using Agent.Telemetry;

namespace Agent.Endpoints;

/// <summary>
/// Runs in front of OpenTelemetry's Prometheus exporter on <c>/metrics</c> and adds the families the
/// SDK cannot produce (the traffic summaries, <see cref="TrafficMetrics.WriteSummaries"/>) to its body:
/// the exporter writes into a buffer, the summaries follow it (before <c># EOF</c> when the scraper
/// asked for OpenMetrics), and the length is set for the whole. Anything but a 200 passes untouched.
/// </summary>
internal sealed class MetricsExposition(RequestDelegate next, TrafficMetrics traffic)
{
    private static readonly byte[] Eof = "# EOF\n"u8.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var response = context.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = original;
        }

        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        var summaries = new StringBuilder();
        if (response.StatusCode == StatusCodes.Status200OK)
        {
            traffic.WriteSummaries(summaries);
        }

        if (summaries.Length == 0)
        {
            response.ContentLength = body.Length;
            await original.WriteAsync(body, context.RequestAborted);
            return;
        }

        var extra = Encoding.UTF8.GetBytes(summaries.ToString());
        var openMetrics = body.Span.EndsWith(Eof);
        var head = openMetrics ? body[..^Eof.Length] : body;
        response.ContentLength = body.Length + extra.Length;
        await original.WriteAsync(head, context.RequestAborted);
        await original.WriteAsync(extra, context.RequestAborted);
        if (openMetrics)
        {
            await original.WriteAsync(Eof, context.RequestAborted);
        }
    }
}
