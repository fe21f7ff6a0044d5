using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Agent.Sampling;
using Microsoft.Extensions.Primitives;

namespace Agent.Telemetry;

/// <summary>
/// OpenMetrics' <c>_created</c> of a target's <c>target_process_*</c> counters is when those
/// counters started: the start of the process the target was found in after its last restart
/// (<see cref="TargetSample.CountersSinceSeconds"/>), so a reader can tell a reset from a dip and
/// Prometheus' created-timestamp handling puts the zero where the process started. The exporter
/// knows one start per instrument (when the agent created it), so this rewrites those lines of an
/// OpenMetrics body on the <c>/metrics</c> branch; the text format has no <c>_created</c> and
/// passes untouched. The body is asked for uncompressed and gzipped here when the client accepts it.
/// </summary>
internal sealed class CountersCreated(RequestDelegate next, TargetSnapshotStore store)
{
    private const string OpenMetrics = "application/openmetrics-text";

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (!request.Headers.Accept.Any(a => a is not null && a.Contains(OpenMetrics, StringComparison.OrdinalIgnoreCase)))
        {
            await next(http);
            return;
        }

        var gzip = request.Headers.AcceptEncoding.Any(e => e is not null && e.Contains("gzip", StringComparison.OrdinalIgnoreCase));
        request.Headers.AcceptEncoding = StringValues.Empty;
        var response = http.Response;
        var body = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            response.Body = body;
        }

        ReadOnlyMemory<byte> data = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (response.ContentType?.StartsWith(OpenMetrics, StringComparison.OrdinalIgnoreCase) == true)
        {
            var output = new ArrayBufferWriter<byte>(data.Length + 256);
            Rewrite(data.Span, store.Current, output);
            data = output.WrittenMemory;
        }

        if (gzip && data.Length > 0)
        {
            response.Headers.ContentEncoding = "gzip";
            response.ContentLength = null;
            await using var zip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true);
            await zip.WriteAsync(data, http.RequestAborted);
            return;
        }

        response.ContentLength = data.Length;
        await body.WriteAsync(data, http.RequestAborted);
    }

    /// <summary>
    /// Copies an OpenMetrics body, each <c>target_process_…_created{…target="t"…} v</c> line's value
    /// replaced by when target <c>t</c>'s counters started (kept when the snapshot has none).
    /// </summary>
    public static void Rewrite(ReadOnlySpan<byte> body, SamplingSnapshot snapshot, IBufferWriter<byte> output)
    {
        Span<byte> number = stackalloc byte[32];
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..(end + 1)];
            body = body[line.Length..];
            var close = line.LastIndexOf((byte)'}');
            if (line.StartsWith("target_process_"u8) && close > 0 && line[..close].IndexOf("_created{"u8) > 0
                && Since(line[..close], snapshot) is { } since
                && since.TryFormat(number, out var written, "0.###", CultureInfo.InvariantCulture))
            {
                output.Write(line[..(close + 1)]);
                output.Write(" "u8);
                output.Write(number[..written]);
                output.Write("\n"u8);
                continue;
            }

            output.Write(line);
        }
    }

    private static double? Since(ReadOnlySpan<byte> series, SamplingSnapshot snapshot)
    {
        var at = series.IndexOf("target=\""u8);
        if (at < 0)
        {
            return null;
        }

        var value = series[(at + 8)..];
        var quote = value.IndexOf((byte)'"');
        return quote < 0 ? null : snapshot.Find(Encoding.UTF8.GetString(value[..quote]))?.Sample?.CountersSinceSeconds;
    }
}
