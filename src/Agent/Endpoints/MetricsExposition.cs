using System.IO.Compression;
using System.Text;
using Agent.Telemetry;
using Microsoft.Net.Http.Headers;

namespace Agent.Endpoints;

/// <summary>
/// Runs in front of OpenTelemetry's Prometheus exporter on <c>/metrics</c> and adds the families the
/// SDK cannot produce (the traffic summaries, <see cref="TrafficMetrics.WriteSummaries"/>) to its body.
/// While no target has any, the exporter answers alone, untouched. Otherwise the exporter writes
/// uncompressed into a buffer (the request's <c>Accept-Encoding</c> is hidden from it), the summaries
/// follow (before <c># EOF</c> when the scraper asked for OpenMetrics), and the whole is gzipped here
/// when the scraper accepts it (Prometheus always does). Anything but a 200 passes through as written.
/// </summary>
internal sealed class MetricsExposition(RequestDelegate next, TrafficMetrics traffic)
{
    private static readonly byte[] Eof = "# EOF\n"u8.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var summaries = new StringBuilder();
        traffic.WriteSummaries(summaries);
        if (summaries.Length == 0)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var gzip = request.Headers.AcceptEncoding.Any(v => v is not null && v.Contains("gzip", StringComparison.OrdinalIgnoreCase));
        request.Headers.Remove(HeaderNames.AcceptEncoding);
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
        if (response.StatusCode != StatusCodes.Status200OK)
        {
            response.ContentLength = body.Length;
            await original.WriteAsync(body, context.RequestAborted);
            return;
        }

        var extra = Encoding.UTF8.GetBytes(summaries.ToString());
        var openMetrics = body.Span.EndsWith(Eof);
        var head = openMetrics ? body[..^Eof.Length] : body;
        void Write(Stream into)
        {
            into.Write(head.Span);
            into.Write(extra);
            if (openMetrics)
            {
                into.Write(Eof);
            }
        }

        using var whole = new MemoryStream(body.Length + extra.Length);
        if (gzip)
        {
            using var zipped = new GZipStream(whole, CompressionLevel.Fastest, leaveOpen: true);
            Write(zipped);
        }
        else
        {
            Write(whole);
        }

        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
            response.Headers.Vary = HeaderNames.AcceptEncoding;
        }

        response.ContentLength = whole.Length;
        await original.WriteAsync(whole.GetBuffer().AsMemory(0, (int)whole.Length), context.RequestAborted);
    }
}
