using System.Diagnostics;
using Agent.Diagnostics;
using Agent.Diagnostics.Snapshot;
using Agent.Procfs;
using Agent.Sampling;
using BenchmarkDotNet.Attributes;

namespace Agent.Benchmarks;

/// <summary>
/// A process snapshot (/diag/snapshot) of a Python target holding 1 000 open files and 200 named
/// threads: smaps_rollup, every task/&lt;tid&gt;/stat, every fd link, net/tcp{,6}, limits, cgroup.
/// Budget (issue 14): well under 50 ms.
/// </summary>
[MemoryDiagnoser]
public class SnapshotBenchmarks
{
    private Process? _target;
    private string _directory = string.Empty;
    private ProcessSnapshotReader? _reader;
    private DiagnosticTarget? _diagnosticTarget;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("snapshot-bench").FullName;
        var script = Path.Combine(FindRoot(), "tests", "fixtures", "targets", "evidence_target.py");
        _target = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, _directory, "1000", "200"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        _ = _target.StandardOutput.ReadLine(); // "ready <pid>"
        var fs = new ProcFs("/proc");
        var system = new ProcSystem(fs);
        Span<byte> buffer = stackalloc byte[1024];
        _ = fs.Process(_target.Id).ReadStat(buffer, out var stat, out _);
        _diagnosticTarget = new DiagnosticTarget("app", new ProcessIdentity(_target.Id, stat.StartTimeTicks), "python3");
        _reader = new ProcessSnapshotReader(system, TimeProvider.System);
        var first = _reader.Read(_diagnosticTarget) ?? throw new InvalidOperationException("no snapshot");
        if (first.Threads is not { Count: >= 200 } || first.Fds is not { Total: >= 1000 })
        {
            throw new InvalidOperationException($"target not as expected: {first.Threads?.Count} threads, {first.Fds?.Total} fds");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _target?.Kill();
        _target?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "snapshot: 201 threads, 1000+ fds")]
    public object Snapshot() => _reader!.Read(_diagnosticTarget!)!;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Agent.sln not found");
    }
}
