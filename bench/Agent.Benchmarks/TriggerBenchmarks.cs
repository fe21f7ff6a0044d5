using Agent.Configuration;
using Agent.Logging;
using Agent.Runtimes;
using Agent.Sampling;
using Agent.Triggers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Benchmarks;

/// <summary>
/// What triggers add to a sampling tick. Budget (issue 15): &lt; 2 µs per trigger per tick.
/// Each call is one tick one second after the previous, over snapshots whose RSS keeps rising
/// (the worst case of the growth window: every sample stays in it).
/// </summary>
[MemoryDiagnoser]
public class TriggerBenchmarks
{
    private const int Snapshots = 4096;
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TargetSnapshot[] _snapshots = new TargetSnapshot[Snapshots];
    private TriggerEvaluator _growth15s = null!;
    private TriggerEvaluator _growth1h = null!;
    private TriggerEvaluator _aboveFor = null!;
    private TriggerEvaluator _rate = null!;
    private TriggerEngine _engine = null!;
    private long _tick;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Snapshots; i++)
        {
            var sample = new TargetSample(new ProcessIdentity(42, 1), "app", 1, 0.5 * i, 0.1 * i, (100L << 20) + (i * 4096L), null, 1L << 30, null, 12, 40, 1024, 1.7e9, null, null, null, null, 10 * i, 0);
            _snapshots[i] = new TargetSnapshot("app", true, sample, 0, "name=app", null, Start);
        }

        _growth15s = new TriggerEvaluator(Definition("growth15s", "target_process_resident_memory_bytes", TriggerCondition.Growth, 1L << 40, TimeSpan.FromSeconds(15)), Interval);
        _growth1h = new TriggerEvaluator(Definition("growth1h", "target_process_resident_memory_bytes", TriggerCondition.Growth, 1L << 40, TimeSpan.FromHours(1)), Interval);
        _aboveFor = new TriggerEvaluator(Definition("threads", "target_process_threads", TriggerCondition.Above, 1e9, TimeSpan.Zero), Interval);
        _rate = new TriggerEvaluator(Definition("cpu", "target_process_cpu_seconds_total", TriggerCondition.Above, 1e9, TimeSpan.Zero), Interval);

        var definitions = new List<TriggerDefinition>();
        for (var i = 0; i < 10; i++)
        {
            definitions.Add(i % 3 == 0
                ? Definition($"g{i}", "target_process_resident_memory_bytes", TriggerCondition.Growth, 1L << 40, TimeSpan.FromMinutes(5))
                : i % 3 == 1
                    ? Definition($"a{i}", "target_process_open_fds", TriggerCondition.Above, 1e9, TimeSpan.Zero)
                    : Definition($"r{i}", "target_process_page_faults_total", TriggerCondition.Above, 1e9, TimeSpan.Zero));
        }

        var time = new SteppingTime();
        _engine = new TriggerEngine(definitions, new SamplingSchedule(Interval), new RuntimeStore(), new UnavailableCaptureStarter(), time, new RepeatGate(time), NullLogger<TriggerEngine>.Instance);
    }

    [Benchmark(Description = "growth within 15 s (RSS)")]
    public bool Growth15s() => Next(_growth15s);

    [Benchmark(Description = "growth within 1 h (RSS, 3600 samples held)")]
    public bool Growth1h() => Next(_growth1h);

    [Benchmark(Description = "above for (threads)")]
    public bool AboveFor() => Next(_aboveFor);

    [Benchmark(Description = "counter rate above (cpu)")]
    public bool Rate() => Next(_rate);

    [Benchmark(Description = "engine tick, 10 triggers (÷ 10 per trigger)", OperationsPerInvoke = 10)]
    public void EngineTick() => _engine.OnTick(_snapshots[_tick++ % Snapshots]);

    private bool Next(TriggerEvaluator evaluator)
    {
        var t = _tick++;
        return evaluator.Evaluate(_snapshots[t % Snapshots], null, Start.AddTicks(t * Interval.Ticks)).Fire;
    }

    private static TriggerDefinition Definition(string name, string metric, TriggerCondition condition, double threshold, TimeSpan span) =>
        new(name, "app", TriggerMetricCatalog.TryGet(metric, out var m) ? m : throw new ArgumentException(metric), condition, threshold,
            condition == TriggerCondition.Above ? span : TimeSpan.Zero, condition == TriggerCondition.Growth ? span : TimeSpan.Zero,
            [TriggerAction.Snapshot], TimeSpan.FromMinutes(10), 3);

    /// <summary>One second later on every read: the engine reads the clock once per tick.</summary>
    private sealed class SteppingTime : TimeProvider
    {
        private long _calls;

        public override DateTimeOffset GetUtcNow() => Start.AddSeconds(_calls++);
    }

    private sealed class NoMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
