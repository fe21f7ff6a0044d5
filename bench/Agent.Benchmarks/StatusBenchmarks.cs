using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Agent.Configuration;
using Agent.Endpoints;
using Agent.History;
using Agent.Probes;
using Agent.Readiness;
using Agent.Runtimes;
using Agent.Sampling;
using Agent.Status;
using BenchmarkDotNet.Attributes;

namespace Agent.Benchmarks;

/// <summary>
/// The history's cost on the sampling tick (budget: no allocation), its memory for 5 targets and
/// 10 probes at full resolution (budget: ≤ 256 KiB; the "Allocated" column of the fill benchmark
/// is the footprint, as the rings are allocated once), and the cost of a page, a summary and an
/// /api/status body built from that full store.
/// </summary>
[MemoryDiagnoser]
public class StatusBenchmarks
{
    private const int TicksPerInvoke = 10_000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);

    private HistoryRecorder _recorder = null!;
    private TargetSnapshot[] _ticks = [];
    private ImmutableDictionary<string, ProbeResult>[] _results = [];
    private TargetSnapshot[] _fillTicks = [];
    private ProbeResult[][] _fillResults = [];
    private List<ProbeDefinition> _fillProbes = [];
    private StatusBuilder _builder = null!;
    private StatusResponse _status = null!;

    private static TargetSample Sample(int pid, double cpu, long rss, long threads) =>
        new(new ProcessIdentity(pid, 1000), "app", 1, cpu, 0, rss, null, 1 << 30, null, threads, 40, 1024, 1.7e9, null, null, null, null, 0, 0);

    private static ProbeDefinition Probe(string name) =>
        new(name, ProbeKind.Tcp, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), true, Host: "127.0.0.1", Port: 1);

    [IterationSetup(Target = nameof(RecordTick))]
    public void SetupTicks()
    {
        var probes = Enumerable.Range(0, 3).Select(i => Probe($"p{i}")).ToList();
        _recorder = new HistoryRecorder(new HistoryStore(TimeSpan.FromSeconds(1), probes));
        _ticks = new TargetSnapshot[TicksPerInvoke + 10];
        _results = new ImmutableDictionary<string, ProbeResult>[_ticks.Length];
        for (var i = 0; i < _ticks.Length; i++)
        {
            var at = T0 + TimeSpan.FromSeconds(i);
            _ticks[i] = new TargetSnapshot("app", true, Sample(7, i * 0.01, 100 << 20, 9), 0, "pid=7", null, at);
            _results[i] = probes.ToImmutableDictionary(p => p.Name, p => new ProbeResult(p, ProbeOutcome.Ok("fine"), TimeSpan.FromMilliseconds(1), at));
        }

        for (var i = 0; i < 10; i++)
        {
            _recorder.Record("app", _ticks[i], null, _results[i]); // the rings exist; the target was found
        }
    }

    [Benchmark(Description = "history: record one tick (1 target, 3 probes)", OperationsPerInvoke = TicksPerInvoke)]
    public void RecordTick()
    {
        for (var i = 10; i < _ticks.Length; i++)
        {
            _recorder.Record("app", _ticks[i], null, _results[i]);
        }
    }

    [GlobalSetup(Targets = [nameof(Fill), nameof(PageHtml), nameof(PageText), nameof(ApiJson)])]
    public void SetupFull()
    {
        _fillProbes = Enumerable.Range(0, 10).Select(i => Probe($"dependency-{i}")).ToList();
        _fillTicks = Enumerable.Range(0, 1000).Select(i => new TargetSnapshot("app", true, Sample(7, i * 0.3, (200L << 20) + (i * 4096L), 20 + (i % 9)), 0, "pid=7", null, T0 + TimeSpan.FromSeconds(i))).ToArray();
        _fillResults = _fillProbes.Select(p => Enumerable.Range(0, 1000)
            .Select(i => new ProbeResult(p, i % 50 < 5 ? ProbeOutcome.Failed(FailureReason.Refused, "refused: SocketException: Connection refused") : ProbeOutcome.Ok("fine"), TimeSpan.FromMilliseconds(1 + (i % 13)), T0 + TimeSpan.FromSeconds(i)))
            .ToArray()).ToArray();

        // The page benchmarks: the same full store, plus .NET counters and a full event list.
        var history = new HistoryStore(TimeSpan.FromSeconds(1), _fillProbes);
        var recorder = new HistoryRecorder(history);
        var results = new ProbeResultStore();
        for (var i = 0; i < 1000; i++)
        {
            foreach (var r in _fillResults)
            {
                results.Publish(r[i]);
            }

            for (var t = 0; t < 5; t++)
            {
                var runtime = new DotnetRuntimeSnapshot(7, new Dictionary<string, double>(), 50e6 + (i % 50 * 1e6), (i % 10) / 1000.0, null, null, null, null, null, null);
                recorder.Record($"service-{t}", _fillTicks[i], runtime, results.Current);
            }
        }

        var targets = new TargetSnapshotStore(new SamplingSnapshot([_fillTicks[^1]], _fillTicks[^1].TakenAt));
        targets.Publish(new SamplingSnapshot([_fillTicks[^1]], _fillTicks[^1].TakenAt));
        _builder = new StatusBuilder(history, targets, results, new ReadinessEvaluator(_fillProbes, new ReadinessOptions()), new SamplingSchedule(TimeSpan.FromSeconds(1)), new FixedTime(T0 + TimeSpan.FromSeconds(1000)));
        _status = _builder.Build();
    }

    [Benchmark(Description = "history: allocate and fill 5 targets + 10 probes (900 points each)")]
    public int Fill()
    {
        var store = new HistoryStore(TimeSpan.FromSeconds(1), _fillProbes);
        for (var t = 0; t < 5; t++)
        {
            var target = store.Target($"service-{t}");
            foreach (var s in _fillTicks)
            {
                target.Record(s, null);
            }
        }

        for (var p = 0; p < _fillProbes.Count; p++)
        {
            foreach (var r in _fillResults[p])
            {
                store.Probes[p].Record(r, out _, out _);
            }
        }

        return store.Probes.Length;
    }

    [Benchmark(Description = "page: build the model + render HTML (5 targets, 10 probes, 50 events)")]
    public int PageHtml() => Encoding.UTF8.GetByteCount(StatusHtml.Render(_builder.Build(), 2));

    [Benchmark(Description = "summary: build the model + render text/plain")]
    public int PageText() => StatusText.Render(_builder.Build()).Length;

    [Benchmark(Description = "/api/status: build the model + serialise JSON")]
    public int ApiJson() => JsonSerializer.SerializeToUtf8Bytes(_builder.Build(), AgentJsonContext.Default.StatusResponse).Length;

    /// <summary>The page's size in bytes, printed once by the page benchmark's setup for docs/benchmarks.md.</summary>
    public int PageBytes => Encoding.UTF8.GetByteCount(StatusHtml.Render(_status, 2));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
