using System.Diagnostics;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Benchmarks;

/// <summary>
/// One sampling tick of one real process (a sleeping child), and the parsers alone.
/// Budget (issue 2): a tick ≤ 50 µs and ≤ 1 KB allocated.
/// </summary>
[MemoryDiagnoser]
public class SamplingBenchmarks
{
    private Process? _target;
    private TargetTracker? _tracker;
    private ProcessReader? _reader;
    private byte[] _stat = [];
    private byte[] _status = [];

    [GlobalSetup]
    public void Setup()
    {
        _target = Process.Start(new ProcessStartInfo("/bin/sleep", "3600") { UseShellExecute = false })!;
        var system = new ProcSystem(new ProcFs("/proc"));
        _reader = new ProcessReader(system);
        _tracker = new TargetTracker("app", true, new PidSelector(_target.Id), _reader, false, TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger.Instance, new RepeatGate(TimeProvider.System));
        _ = _tracker.Tick(); // resolve once; the benchmark measures steady-state ticks
        _stat = File.ReadAllBytes($"/proc/{_target.Id}/stat");
        _status = File.ReadAllBytes($"/proc/{_target.Id}/status");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _target?.Kill();
        _target?.Dispose();
    }

    [Benchmark(Description = "tick: stat+status+io+limits+fd of one process, snapshot")]
    public object Tick()
    {
        var snapshot = _tracker!.Tick();
        _reader!.EndTick();
        return snapshot;
    }

    [Benchmark(Description = "parse /proc/<pid>/stat")]
    public bool ParseStat() => ProcStat.TryParse(_stat, out _, out _);

    [Benchmark(Description = "parse /proc/<pid>/status")]
    public long? ParseStatus() => ProcStatus.Parse(_status).ResidentBytes;
}
