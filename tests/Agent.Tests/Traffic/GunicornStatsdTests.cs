using System.Text;
using Agent.Traffic;

namespace Agent.Tests.Traffic;

/// <summary>gunicorn's names (as <c>gunicorn/instrument/statsd.py</c> of Debian's gunicorn 20.1 sends them) and only those.</summary>
public class GunicornStatsdTests
{
    private static GunicornMetric? Map(string text)
    {
        Assert.True(StatsdLine.TryParse(Encoding.ASCII.GetBytes(text), out var line), text);
        return GunicornStatsd.TryMap(line, out var metric) ? metric : null;
    }

    [Theory]
    [InlineData("gunicorn.request.duration:250.5|ms", "Duration", null, 0.2505)]
    [InlineData("gunicorn.requests:1|c|@1.0", "Requests", null, 1)]
    [InlineData("gunicorn.request.status.503:1|c|@1.0", "Status", "503", 1)]
    [InlineData("gunicorn.request.status.200:1|c|@0.25", "Status", "200", 4)]
    [InlineData("gunicorn.workers:4|g", "Workers", null, 4)]
    [InlineData("gunicorn.log.error:1|c|@1.0", "Log", "error", 1)]
    [InlineData("myapp.gunicorn.request.status.404:1|c", "Status", "404", 1)]
    [InlineData("gunicorn.gunicorn.requests:1|c", "Requests", null, 1)]
    public void Gunicorns_names_map_to_the_traffic_families(string text, string kind, string? label, double value)
    {
        var m = Map(text);
        Assert.NotNull(m);
        Assert.Equal((Enum.Parse<GunicornMetricKind>(kind), label), (m.Value.Kind, m.Value.Label));
        Assert.Equal(value, m.Value.Value, 9);
    }

    [Theory]
    [InlineData("gunicorn.request.status.99:1|c")] // not three digits
    [InlineData("gunicorn.request.status.600:1|c")] // not a status code
    [InlineData("gunicorn.request.status.2000:1|c")]
    [InlineData("gunicorn.request.status.20a:1|c")]
    [InlineData("gunicorn.log.info:1|c")] // gunicorn sends only critical, error, warning, exception
    [InlineData("gunicorn.requests:1|g")] // a type gunicorn does not send for it
    [InlineData("gunicorn.workers:+1|g")] // a relative gauge: gunicorn sends absolute values
    [InlineData("gunicorn.request.duration:-5|ms")]
    [InlineData("xgunicorn.requests:1|c")] // not a segment of its own
    [InlineData("nginx.requests:1|c")]
    [InlineData("gunicorn.request.status.200:0|c")]
    public void Anything_else_is_unknown(string text) => Assert.Null(Map(text));

    [Fact]
    public void Applying_counts_requests_by_status_and_observes_durations_in_seconds()
    {
        var a = new TrafficAccumulator(100);
        a.BeginInterval();
        foreach (var text in new[] { "gunicorn.request.duration:100|ms", "gunicorn.requests:1|c|@1.0", "gunicorn.request.status.200:1|c|@1.0", "gunicorn.request.duration:300|ms", "gunicorn.request.status.500:1|c|@1.0", "gunicorn.workers:2|g" })
        {
            GunicornStatsd.Apply(Map(text)!.Value, a);
        }

        var s = a.End(TrafficSource.Statsd, null, DateTimeOffset.UnixEpoch, 1);
        var duration = Assert.Single(s.Series, x => x.Family == TrafficFamily.ServerDuration);
        Assert.Equal((2.0, 0.4), (duration.Count, Math.Round(duration.Sum, 9)));
        Assert.Empty(duration.Labels);
        Assert.Equal((2.0, 1.0), (s.Requests, s.ServerErrors));
        Assert.Equal(2, Assert.Single(s.Series, x => x.Family == TrafficFamily.GunicornWorkers).Value);
    }
}
