using System.Diagnostics;
using Agent.Logging;
using Agent.Procfs;
using Agent.Sampling;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Benchmarks;

/// <summary>
/// One sampling tick of the whole target set (issue 13): 1, 5 and 20 named targets, each a real
/// process found by name (copies of /bin/sleep named tgt-01…), in steady state. Budget: 5 targets
/// ≤ 3 × one target.
/// </summary>
[MemoryDiagnoser]
public class TargetSetBenchmarks
{
    private readonly List<Process> _targets = [];
    private string _dir = "";
    private TargetSet? _set;

    [Params(1, 5, 20)]
    public int Targets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("bench-targets-").FullName;
        var factory = Factory();
        var trackers = new List<TargetTracker>();
        for (var i = 1; i <= Targets; i++)
        {
            var name = $"tgt-{i:D2}";
            File.Copy("/bin/sleep", Path.Combine(_dir, name));
            _targets.Add(Process.Start(new ProcessStartInfo(Path.Combine(_dir, name), "3600") { UseShellExecute = false })!);
            trackers.Add(factory.Create(name, required: true, new ProcessNameSelector(name), includeChildren: false));
        }

        _set = new TargetSet(trackers, null, factory.Reader, Environment.ProcessId, TimeProvider.System);
        var first = _set.Tick(); // resolve once: the benchmark measures steady-state ticks
        if (first.Targets.Count(t => t.Sample is not null) != Targets)
        {
            throw new InvalidOperationException($"{first.Targets.Count(t => t.Sample is not null)} of {Targets} targets resolved");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var p in _targets)
        {
            p.Kill();
            p.WaitForExit();
            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "tick of the target set: N named targets (stat+status+io+fd each), snapshot")]
    public object Tick() => _set!.Tick();

    internal static TrackerFactory Factory() =>
        new(new ProcessReader(new ProcSystem(new ProcFs("/proc"))), TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger.Instance, new RepeatGate(TimeProvider.System));
}
