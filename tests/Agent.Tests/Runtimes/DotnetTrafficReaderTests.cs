using System.Buffers.Binary;
using System.Text;
using Agent.Runtimes;
using Agent.Traffic;

namespace Agent.Tests.Runtimes;

/// <summary>
/// The traffic instruments' MetricsEventSource payloads read by hand, as the runtime lays them out
/// (the event method's parameters in order: UTF-16 strings, int32 count, double sum, FILETIME
/// interval times). The real session against a real Kestrel app is in the integration suite
/// (TrafficTests compares every count with the client's own).
/// </summary>
public sealed class DotnetTrafficReaderTests
{
    private const string Session = MetricsSession.SharedId;
    private static readonly DateTime T0 = new(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void An_interval_folds_histograms_counters_and_updown_counters()
    {
        var reader = new DotnetTrafficReader(7, 100, TimeProvider.System);
        Assert.Null(reader.Apply(MetricsEvents.BeginInstrumentReporting, Payload(s => s.Str(Session).Str(TrafficInstruments.Hosting).Str("10.0.0").Str("http.server.request.duration").Str("Histogram").Str("s"))));
        Assert.Null(reader.Apply(MetricsEvents.CollectionStart, Interval()));
        Assert.Null(reader.Apply(MetricsEvents.HistogramValuePublished, Histogram("http.request.method=GET,http.response.status_code=200,http.route=/ok,url.scheme=http", "0.5=0.01;0.95=0.02;0.99=0.25", 9, 0.15)));
        Assert.Null(reader.Apply(MetricsEvents.HistogramValuePublished, Histogram("http.request.method=GET,http.response.status_code=500,http.route=/fail", "0.5=0.5;0.95=0.5;0.99=0.5", 1, 0.5)));
        Assert.Null(reader.Apply(MetricsEvents.UpDownCounterRateValuePublished, Value(TrafficInstruments.Hosting, "http.server.active_requests", "", rate: "1", value: "3")));
        Assert.Null(reader.Apply(MetricsEvents.CounterRateValuePublished, Value(TrafficInstruments.Kestrel, "kestrel.rejected_connections", "", rate: "2", value: "")));
        var snapshot = reader.Apply(MetricsEvents.CollectionStop, Interval());

        Assert.NotNull(snapshot);
        Assert.Equal(7, snapshot.Pid);
        Assert.Equal((10, 1), (snapshot.Requests, snapshot.ServerErrors));
        Assert.Equal(1, snapshot.Last.Seconds, 6);
        Assert.Equal(10, snapshot.Last.RequestsPerSecond, 6);
        Assert.Equal(0.5, snapshot.Last.P99, 6);
        var ok = Assert.Single(snapshot.Series, s => s.Family == TrafficFamily.ServerDuration && s.Labels.Any(l => l.Value == "/ok"));
        Assert.Equal((9, 0.15, 0.25), (ok.Count, ok.Sum, ok.P99));
        Assert.DoesNotContain(ok.Labels, l => l.Value == "http"); // url.scheme is not kept
        Assert.Equal(3, Assert.Single(snapshot.Series, s => s.Family == TrafficFamily.ServerActiveRequests).Value);
        Assert.Equal(2, Assert.Single(snapshot.Series, s => s.Family == TrafficFamily.KestrelRejectedConnections).Value);
        Assert.Equal([TrafficInstruments.Hosting], snapshot.Notes.Meters);
    }

    [Fact]
    public void A_histogram_without_count_and_sum_counts_nothing_and_another_session_is_ignored()
    {
        var reader = new DotnetTrafficReader(7, 100, TimeProvider.System);
        reader.Apply(MetricsEvents.CollectionStart, Interval());
        // .NET 7 wrote the quantiles only (event version 0).
        reader.Apply(MetricsEvents.HistogramValuePublished, Payload(s => Prefix(s, Session, TrafficInstruments.Hosting, "http.server.request.duration", "http.route=/ok").Str("0.5=1")));
        reader.Apply(MetricsEvents.HistogramValuePublished, Histogram("http.route=/ok", "0.5=1", 5, 5, session: "someone-else"));
        var snapshot = reader.Apply(MetricsEvents.CollectionStop, Interval());

        Assert.NotNull(snapshot);
        Assert.Equal(0, snapshot.Requests);
        Assert.False(snapshot.ServesHttp);
        Assert.Null(reader.Apply(MetricsEvents.CollectionStop, Interval(session: "someone-else")));
    }

    [Fact]
    public void Every_truncation_of_every_event_is_refused_without_throwing()
    {
        var reader = new DotnetTrafficReader(7, 100, TimeProvider.System);
        var events = new (int Id, byte[] Payload)[]
        {
            (MetricsEvents.CollectionStart, Interval()),
            (MetricsEvents.HistogramValuePublished, Histogram("http.route=/ok", "0.5=1", 5, 5, instrumentId: false)), // .NET 8: ends with the sum
            (MetricsEvents.UpDownCounterRateValuePublished, Value(TrafficInstruments.Hosting, "http.server.active_requests", "", "1", "3")),
            (MetricsEvents.GaugeValuePublished, Value(TrafficInstruments.Kestrel, "kestrel.active_connections", "", "4", "")),
            (MetricsEvents.CollectionStop, Interval()),
        };
        foreach (var (id, payload) in events)
        {
            for (var n = 0; n < payload.Length; n++)
            {
                var result = reader.Apply(id, payload.AsSpan(0, n));
                Assert.True(result is null || id == MetricsEvents.CollectionStop, $"event {id} cut at {n} bytes published");
            }
        }

        // Truncated histograms counted nothing: the whole one, once, counts its 5.
        reader.Apply(MetricsEvents.HistogramValuePublished, events[1].Payload);
        Assert.Equal(5, reader.Apply(MetricsEvents.CollectionStop, Interval())!.Requests);
    }

    private static byte[] Interval(string session = Session) =>
        Payload(s => s.Str(session).I64(T0.ToFileTimeUtc()).I64(T0.AddSeconds(1).ToFileTimeUtc()));

    private static byte[] Histogram(string tags, string quantiles, int count, double sum, string session = Session, bool instrumentId = true)
    {
        var bytes = Payload(s => Prefix(s, session, TrafficInstruments.Hosting, "http.server.request.duration", tags).Str(quantiles).I32(count).F64(sum).I32(12)); // instrumentId (.NET 9+)
        return instrumentId ? bytes : bytes[..^4];
    }

    private static byte[] Value(string meter, string instrument, string tags, string rate, string value) =>
        Payload(s => Prefix(s, Session, meter, instrument, tags).Str(rate).Str(value).I32(3));

    private static Writer Prefix(Writer s, string session, string meter, string instrument, string tags) =>
        s.Str(session).Str(meter).Str("10.0.0").Str(instrument).Str("s").Str(tags);

    private static byte[] Payload(Func<Writer, Writer> write) => write(new Writer()).Bytes.ToArray();

    private sealed class Writer
    {
        public List<byte> Bytes { get; } = [];

        public Writer Str(string s)
        {
            Bytes.AddRange(Encoding.Unicode.GetBytes(s + "\0"));
            return this;
        }

        public Writer I32(int v)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            Bytes.AddRange(b);
            return this;
        }

        public Writer I64(long v)
        {
            var b = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            Bytes.AddRange(b);
            return this;
        }

        public Writer F64(double v)
        {
            var b = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, v);
            Bytes.AddRange(b);
            return this;
        }
    }
}
