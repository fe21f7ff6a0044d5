using System.Globalization;

namespace Agent.Traffic;

/// <summary>
/// gunicorn's StatsD output (<c>gunicorn/instrument/statsd.py</c>: one datagram per metric, sent by the
/// master and every worker on one shared socket) mapped to the traffic families:
/// <list type="table">
/// <item><c>gunicorn.request.duration:&lt;ms&gt;|ms</c> → <see cref="TrafficFamily.ServerDuration"/> (in seconds; no route, method or status: gunicorn sends none)</item>
/// <item><c>gunicorn.request.status.&lt;code&gt;:1|c</c> → <see cref="TrafficFamily.ServerRequests"/> by status</item>
/// <item><c>gunicorn.requests:1|c</c> → nothing more (the same requests as the status counters)</item>
/// <item><c>gunicorn.workers:&lt;n&gt;|g</c> → <see cref="TrafficFamily.GunicornWorkers"/></item>
/// <item><c>gunicorn.log.&lt;critical|error|warning|exception&gt;:1|c</c> → <see cref="TrafficFamily.GunicornLogMessages"/> by level</item>
/// </list>
/// Names may carry gunicorn's <c>--statsd-prefix</c> (<c>&lt;prefix&gt;.gunicorn.requests</c>). Every other
/// name, type or value is "unknown" and dropped: nothing here grows with what a sender invents.
/// </summary>
internal static class GunicornStatsd
{
    private static readonly string[] StatusCodes = [.. Enumerable.Range(0, 600).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    private static readonly (string Name, byte[] Bytes)[] Levels = [.. new[] { "critical", "error", "warning", "exception" }.Select(l => (l, System.Text.Encoding.ASCII.GetBytes(l)))];

    /// <summary>What one line means, or false if it is not one of gunicorn's (or not in a form gunicorn sends).</summary>
    public static bool TryMap(in StatsdLine line, out GunicornMetric metric)
    {
        metric = default;
        var name = line.Name;
        var at = name.LastIndexOf("gunicorn."u8);
        if (at < 0 || (at > 0 && name[at - 1] != (byte)'.'))
        {
            return false;
        }

        var rest = name[(at + "gunicorn.".Length)..];
        if (rest.SequenceEqual("request.duration"u8) && line.Type is StatsdType.Timer or StatsdType.Histogram or StatsdType.Distribution && line.Value >= 0)
        {
            metric = new GunicornMetric(GunicornMetricKind.Duration, null, line.Value / 1000);
            return true;
        }

        if (line.Type == StatsdType.Counter && line.Value > 0)
        {
            var count = line.Value / line.Rate;
            if (rest.SequenceEqual("requests"u8))
            {
                metric = new GunicornMetric(GunicornMetricKind.Requests, null, count);
                return true;
            }

            if (rest.StartsWith("request.status."u8) && Status(rest["request.status.".Length..]) is { } status)
            {
                metric = new GunicornMetric(GunicornMetricKind.Status, StatusCodes[status], count);
                return true;
            }

            if (rest.StartsWith("log."u8))
            {
                foreach (var level in Levels)
                {
                    if (rest["log.".Length..].SequenceEqual(level.Bytes))
                    {
                        metric = new GunicornMetric(GunicornMetricKind.Log, level.Name, count);
                        return true;
                    }
                }
            }

            return false;
        }

        if (rest.SequenceEqual("workers"u8) && line.Type == StatsdType.Gauge && !line.Signed && line.Value >= 0)
        {
            metric = new GunicornMetric(GunicornMetricKind.Workers, null, line.Value);
            return true;
        }

        return false;
    }

    /// <summary>Applies a mapped line to the target's accumulator (the caller holds its lock).</summary>
    public static void Apply(in GunicornMetric metric, TrafficAccumulator into)
    {
        switch (metric.Kind)
        {
            case GunicornMetricKind.Duration:
                into.Observe(TrafficFamily.ServerDuration, [], metric.Value);
                break;
            case GunicornMetricKind.Status:
                into.AddCount(TrafficFamily.ServerRequests, [new(TrafficFamilies.StatusLabel, metric.Label!)], metric.Value);
                break;
            case GunicornMetricKind.Workers:
                into.SetGauge(TrafficFamily.GunicornWorkers, [], metric.Value);
                break;
            case GunicornMetricKind.Log:
                into.AddCount(TrafficFamily.GunicornLogMessages, [new("level", metric.Label!)], metric.Value);
                break;
        }
    }

    /// <summary>A three-digit status code, 100–599.</summary>
    private static int? Status(ReadOnlySpan<byte> digits) =>
        digits.Length == 3 && digits[0] is >= (byte)'1' and <= (byte)'5' && digits[1] is >= (byte)'0' and <= (byte)'9' && digits[2] is >= (byte)'0' and <= (byte)'9'
            ? ((digits[0] - '0') * 100) + ((digits[1] - '0') * 10) + (digits[2] - '0')
            : null;
}

internal enum GunicornMetricKind
{
    Duration,
    Requests,
    Status,
    Workers,
    Log,
}

/// <summary>One of gunicorn's lines: its kind, its label value (status code, log level) and its value (seconds, count, workers).</summary>
internal readonly record struct GunicornMetric(GunicornMetricKind Kind, string? Label, double Value);
