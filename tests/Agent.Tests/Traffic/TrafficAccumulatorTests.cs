using Agent.Traffic;

namespace Agent.Tests.Traffic;

/// <summary>
/// Folding measurements into series under a cap: counts and sums are totals, quantiles belong to
/// the interval, a refused label set still counts in its family's overflow series. Expected values
/// are computed here from the inputs, not read back from the accumulator's own arithmetic.
/// </summary>
public class TrafficAccumulatorTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static KeyValuePair<string, string>[] Route(string route, string status, string method = "GET") =>
        [new("http_route", route), new("http_request_method", method), new(TrafficFamilies.StatusLabel, status)];

    private static TrafficSeries One(TrafficSnapshot s, TrafficFamily family, params (string Key, string Value)[] labels) =>
        s.Series.Single(x => x.Family == family && x.Labels.Length == labels.Length && labels.All(l => x.Labels.Contains(new(l.Key, l.Value))));

    [Fact]
    public void Intervals_add_up_to_totals_and_quantiles_belong_to_the_last_interval()
    {
        var a = new TrafficAccumulator(100);
        a.BeginInterval();
        a.AddInterval(TrafficFamily.ServerDuration, Route("/ok", "200"), 10, 0.5, 0.04, 0.09, 0.1);
        a.AddInterval(TrafficFamily.ServerDuration, Route("/fail", "500"), 5, 0.05, 0.01, 0.01, 0.01);
        var first = a.End(TrafficSource.Dotnet, 42, At, 2.0);

        a.BeginInterval();
        a.AddInterval(TrafficFamily.ServerDuration, Route("/ok", "200"), 3, 0.3, 0.2, 0.3, 0.31);
        var second = a.End(TrafficSource.Dotnet, 42, At.AddSeconds(2), 1.0);

        var ok = One(second, TrafficFamily.ServerDuration, ("http_route", "/ok"), ("http_request_method", "GET"), (TrafficFamilies.StatusLabel, "200"));
        Assert.Equal(13, ok.Count);
        Assert.Equal(0.8, ok.Sum, 9);
        Assert.Equal(0.31, ok.P99);
        var fail = One(second, TrafficFamily.ServerDuration, ("http_route", "/fail"), ("http_request_method", "GET"), (TrafficFamilies.StatusLabel, "500"));
        Assert.Equal(5, fail.Count);
        Assert.True(double.IsNaN(fail.P99), "no request of /fail in the second interval: its quantile is unknown, not the old one");

        // Requests by status are the durations' counts; errors only the 5xx.
        Assert.Equal(13, One(second, TrafficFamily.ServerRequests, (TrafficFamilies.StatusLabel, "200")).Value);
        Assert.Equal(5, One(second, TrafficFamily.ServerRequests, (TrafficFamilies.StatusLabel, "500")).Value);
        Assert.Equal((18, 5), (second.Requests, second.ServerErrors));

        // The interval: 15 requests in 2 s, a third of them 5xx; the slowest route's quantile.
        Assert.Equal(7.5, first.Last.RequestsPerSecond);
        Assert.Equal(5.0 / 15, first.Last.ErrorShare, 9);
        Assert.Equal(0.1, first.Last.P99);
        Assert.Equal((3.0, 0.0, 0.31), (second.Last.RequestsPerSecond, second.Last.ErrorShare, second.Last.P99));
    }

    [Fact]
    public void Runtime_series_that_fold_into_one_add_counts_and_keep_the_largest_quantile()
    {
        // http/1.1 and h2 of one route: the agent keeps route, method, status only.
        var a = new TrafficAccumulator(100);
        a.BeginInterval();
        a.AddInterval(TrafficFamily.ServerDuration, Route("/ok", "200"), 4, 0.4, 0.1, 0.1, 0.1);
        a.AddInterval(TrafficFamily.ServerDuration, Route("/ok", "200"), 6, 1.2, 0.2, 0.25, 0.3);
        var s = a.End(TrafficSource.Dotnet, 1, At, 1);

        var ok = Assert.Single(s.Series, x => x.Family == TrafficFamily.ServerDuration);
        Assert.Equal((10.0, 1.6, 0.2, 0.25, 0.3), (ok.Count, Math.Round(ok.Sum, 9), ok.P50, ok.P95, ok.P99));
    }

    [Fact]
    public void A_cap_of_N_keeps_N_series_and_counts_the_rest_in_one_overflow_series_per_family()
    {
        const int Cap = 5;
        var a = new TrafficAccumulator(Cap);
        a.BeginInterval();
        long sent = 0;
        for (var code = 200; code < 240; code++)
        {
            a.AddInterval(TrafficFamily.ServerDuration, Route("/status/{code}", code.ToString(System.Globalization.CultureInfo.InvariantCulture)), 2, 0.002, 0.001, 0.001, 0.001);
            sent += 2;
        }

        var s = a.End(TrafficSource.Dotnet, 1, At, 1);

        Assert.Equal(Cap, s.Series.Count(x => !x.IsOverflow));
        Assert.True(a.Overflowed);
        // Every request is still counted: in the kept series or in an overflow series.
        Assert.Equal(sent, s.Series.Where(x => x.Family == TrafficFamily.ServerDuration).Sum(x => x.Count));
        Assert.Equal(sent, s.Series.Where(x => x.Family == TrafficFamily.ServerRequests).Sum(x => x.Value));
        Assert.Equal(sent, s.Requests);
        var overflow = s.Series.Where(x => x.IsOverflow).ToList();
        Assert.All(overflow, x => Assert.Equal([new(TrafficFamilies.OverflowLabel, "true")], x.Labels));
        Assert.Equal(overflow.Select(x => x.Family).Distinct().Count(), overflow.Count);
    }

    [Fact]
    public void Errors_folded_into_the_overflow_series_still_count_as_errors()
    {
        var a = new TrafficAccumulator(1);
        a.BeginInterval();
        a.AddInterval(TrafficFamily.ServerDuration, Route("/ok", "200"), 10, 1, 0.1, 0.1, 0.1);
        a.AddInterval(TrafficFamily.ServerDuration, Route("/fail", "503"), 10, 1, 0.1, 0.1, 0.1); // refused: the cap is 1
        var s = a.End(TrafficSource.Dotnet, 1, At, 1);

        Assert.Equal(10, s.ServerErrors);
        Assert.Equal(0.5, s.Last.ErrorShare);
    }

    [Fact]
    public void Gauges_of_folded_series_are_summed_per_interval_and_held_gauges_keep_their_value()
    {
        var a = new TrafficAccumulator(100);
        a.BeginInterval();
        a.AddGauge(TrafficFamily.KestrelActiveConnections, [], 3); // two endpoints of one server
        a.AddGauge(TrafficFamily.KestrelActiveConnections, [], 4);
        a.SetGauge(TrafficFamily.GunicornWorkers, [], 4);
        var first = a.End(TrafficSource.Dotnet, 1, At, 1);
        a.BeginInterval();
        a.AddGauge(TrafficFamily.KestrelActiveConnections, [], 1);
        a.AddGauge(TrafficFamily.KestrelActiveConnections, [], 0);
        var second = a.End(TrafficSource.Dotnet, 1, At, 1);

        Assert.Equal(7, One(first, TrafficFamily.KestrelActiveConnections).Value);
        Assert.Equal(1, One(second, TrafficFamily.KestrelActiveConnections).Value);
        Assert.Equal(4, One(second, TrafficFamily.GunicornWorkers).Value);
    }

    [Fact]
    public void Observations_give_the_quantiles_of_their_interval_within_one_percent()
    {
        var a = new TrafficAccumulator(100);
        var rng = new Random(7);
        var values = Enumerable.Range(0, 2000).Select(_ => 0.001 + (rng.NextDouble() * rng.NextDouble() * 0.5)).ToArray();
        a.BeginInterval();
        foreach (var v in values)
        {
            a.Observe(TrafficFamily.ServerDuration, [], v);
        }

        var s = a.End(TrafficSource.Statsd, null, At, 1);
        var d = Assert.Single(s.Series, x => x.Family == TrafficFamily.ServerDuration);
        var sorted = values.Order().ToArray();
        foreach (var (q, got) in new[] { (0.5, d.P50), (0.95, d.P95), (0.99, d.P99) })
        {
            var expected = sorted[(int)(q * sorted.Length)];
            Assert.InRange(got, expected * 0.99, expected * 1.01);
        }

        Assert.Equal(values.Length, d.Count);
        Assert.Equal(values.Sum(), d.Sum, 9);
        a.BeginInterval();
        var quiet = a.End(TrafficSource.Statsd, null, At.AddSeconds(1), 1);
        Assert.True(double.IsNaN(Assert.Single(quiet.Series, x => x.Family == TrafficFamily.ServerDuration).P99));
    }
}
