using System.Diagnostics;
using System.Globalization;
using Agent.Sampling;
using BenchmarkDotNet.Attributes;

namespace Agent.Benchmarks;

/// <summary>
/// One tick of a target with <c>IncludeChildren</c> over a 500-process tree (a shell and 499
/// sleeping children) on a host brought to ~2 000 processes (more sleepers under another shell),
/// so the tick's one process-table scan walks a realistic host. Both shells run in their own
/// session and are killed with their whole group.
/// </summary>
[MemoryDiagnoser]
public class ProcessTreeBenchmarks
{
    private const int TreeSize = 500;
    private const int HostSize = 2000;
    private Process? _tree;
    private Process? _filler;
    private TargetSet? _set;

    [GlobalSetup]
    public void Setup()
    {
        _tree = Sleepers(TreeSize - 1);
        WaitForChildren(_tree.Id, TreeSize - 1);
        var others = HostSize - ProcessCount();
        if (others > 1)
        {
            _filler = Sleepers(others - 1);
            WaitForChildren(_filler.Id, others - 1);
        }

        var factory = TargetSetBenchmarks.Factory();
        _set = new TargetSet([factory.Create("tree", true, new PidSelector(_tree.Id), includeChildren: true)], null, factory.Reader, Environment.ProcessId, TimeProvider.System);
        var first = _set.Tick();
        if (first.Targets[0].Sample?.ProcessCount != TreeSize)
        {
            throw new InvalidOperationException($"the tree holds {first.Targets[0].Sample?.ProcessCount} processes, not {TreeSize}");
        }

        Console.WriteLine($"// host processes: {ProcessCount()}, tree: {first.Targets[0].Sample?.ProcessCount}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var p in new[] { _tree, _filler })
        {
            if (p is not null)
            {
                using var kill = Process.Start("kill", ["-KILL", "--", "-" + p.Id.ToString(CultureInfo.InvariantCulture)])!;
                kill.WaitForExit();
                p.WaitForExit();
                p.Dispose();
            }
        }
    }

    [Benchmark(Description = "tick: one target summing a 500-process tree, host of ~2000 processes")]
    public object Tick() => _set!.Tick();

    private static Process Sleepers(int count) =>
        Process.Start(new ProcessStartInfo("setsid", ["/bin/sh", "-c", $"i=0; while [ $i -lt {count} ]; do sleep 3600 & i=$((i+1)); done; wait"]) { UseShellExecute = false })!;

    private static int ProcessCount() => Directory.GetDirectories("/proc").Count(d => char.IsAsciiDigit(Path.GetFileName(d)[0]));

    private static void WaitForChildren(int pid, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (Children(pid) < count)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"{Children(pid)} of {count} children of {pid} started");
            }

            Thread.Sleep(100);
        }
    }

    private static int Children(int pid) =>
        File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
