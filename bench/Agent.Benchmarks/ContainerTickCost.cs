using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Agent.Containers;
using Agent.Procfs;
using Agent.Sampling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Benchmarks;

/// <summary>
/// The container view's cost on the tick (issue 26), side by side in one run: 1 and 5 named
/// targets, each tick of the target set with and without the cgroup reads, interleaved round-robin
/// so that the shared machine's load falls on all four alike. CPU is the sampling thread's own
/// (CLOCK_THREAD_CPUTIME_ID), which preemption does not inflate the way wall-clock time is. The
/// targets are real processes in real cgroups with limits (v1 memory under this process's memory
/// cgroup, cpu, cpuacct, pids; a v2 child of /sys/fs/cgroup/unified for pressure), as on this
/// hybrid machine; needs root. Everything it makes is removed at the end.
///
/// dotnet run -c Release --project bench/Agent.Benchmarks -- container-cost [rounds]
/// Configurations: without the cgroup, with it read every tick, and at the default cadence.
/// </summary>
internal static partial class ContainerTickCost
{
    public static void Run(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3000;
        var dir = Directory.CreateTempSubdirectory("bench-cgroup-").FullName;
        var name = "agent-bench-" + Environment.ProcessId;
        var ownMemory = File.ReadAllLines("/proc/self/cgroup").Select(l => l.Split(':', 3)).Single(p => p[1] == "memory")[2].TrimEnd('/');
        var cgroups = new[]
        {
            $"/sys/fs/cgroup/memory{ownMemory}/{name}", $"/sys/fs/cgroup/cpu/{name}", $"/sys/fs/cgroup/cpuacct/{name}",
            $"/sys/fs/cgroup/pids/{name}", $"/sys/fs/cgroup/unified/{name}",
        };
        var processes = new List<Process>();
        try
        {
            foreach (var c in cgroups)
            {
                Directory.CreateDirectory(c);
            }

            File.WriteAllText(Path.Join(cgroups[0], "memory.limit_in_bytes"), (512L << 20).ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Join(cgroups[1], "cpu.cfs_quota_us"), "50000");
            File.WriteAllText(Path.Join(cgroups[3], "pids.max"), "4096");
            var enter = string.Concat(cgroups.Select(c => $"echo $$ > {c}/cgroup.procs && "));
            for (var i = 1; i <= 5; i++)
            {
                var exe = Path.Join(dir, $"tgt-{i:D2}");
                File.Copy("/bin/sleep", exe);
                processes.Add(Process.Start(new ProcessStartInfo("sh", ["-c", $"{enter}exec {exe} 3600"]) { UseShellExecute = false })!);
            }

            // Every configuration sees the same clock, one second further each round: a 1 s
            // sampling interval, so the default cadence (Sampling:CgroupInterval = 5 s) reads
            // the cgroup on every fifth tick, as in the agent.
            var clock = new SteppedClock();
            var configs = new List<(string Label, int Targets, bool Cgroups, Func<object> Tick)>();
            foreach (var n in (int[])[1, 5])
            {
                foreach (var (label, every) in ((string, TimeSpan?)[])[("without cgroup reads", null), ("with cgroup reads every tick", TimeSpan.Zero), ("with cgroup reads every 5 s (default)", TimeSpan.FromSeconds(5))])
                {
                    var factory = new TrackerFactory(new ProcessReader(new ProcSystem(new ProcFs("/proc"))), TimeSpan.FromSeconds(1), clock, NullLogger.Instance, new Agent.Logging.RepeatGate(clock));
                    var set = new TargetSet(
                        Enumerable.Range(1, n).Select(i => factory.Create($"tgt-{i:D2}", required: true, new ProcessNameSelector($"tgt-{i:D2}"), includeChildren: false)),
                        null, factory.Reader, Environment.ProcessId, clock);
                    var sampler = new ContainerSampler(factory.Reader.Fs, new OomWatcher(), clock, NullLoggerFactory.Instance, readEvery: every);
                    Func<object> tick = every is null ? () => set.Tick() : () => sampler.Attach(set.Tick());
                    var first = (SamplingSnapshot)tick();
                    if (first.Targets.Count(t => t.Sample is not null) != n || (every is not null && first.Targets.Any(t => t.Container is null)))
                    {
                        throw new InvalidOperationException($"{n} targets, {label}: not every target resolved with its cgroup");
                    }

                    configs.Add(($"{n} target{(n == 1 ? string.Empty : "s")}, {label}", n, every is not null, tick));
                }
            }

            var cpu = configs.Select(_ => new List<double>(rounds)).ToArray();
            var wall = configs.Select(_ => new List<double>(rounds)).ToArray();
            var allocated = new long[configs.Count];
            for (var round = -200; round < rounds; round++)
            {
                clock.Step(TimeSpan.FromSeconds(1));
                for (var c = 0; c < configs.Count; c++)
                {
                    var alloc0 = GC.GetAllocatedBytesForCurrentThread();
                    var t0 = ThreadCpuNanoseconds();
                    var w0 = Stopwatch.GetTimestamp();
                    _ = configs[c].Tick();
                    var w1 = Stopwatch.GetTimestamp();
                    var t1 = ThreadCpuNanoseconds();
                    if (round >= 0)
                    {
                        cpu[c].Add((t1 - t0) / 1000.0);
                        wall[c].Add(Stopwatch.GetElapsedTime(w0, w1).TotalMicroseconds);
                        allocated[c] += GC.GetAllocatedBytesForCurrentThread() - alloc0;
                    }
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"container tick cost, {rounds} interleaved rounds, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            Console.WriteLine("| configuration | CPU µs/tick (mean) | median | p90 | wall µs (median) | allocated B/tick | mean CPU vs without |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            for (var c = 0; c < configs.Count; c++)
            {
                var baseline = configs.FindIndex(x => x.Targets == configs[c].Targets && !x.Cgroups);
                var ratio = cpu[c].Average() / cpu[baseline].Average(); // the mean: what the CPU pays over time
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {configs[c].Label} | {cpu[c].Average():F1} | {Median(cpu[c]):F1} | {Percentile(cpu[c], 0.9):F1} | {Median(wall[c]):F1} | {allocated[c] / rounds} | {(configs[c].Cgroups ? $"{(ratio - 1) * 100:+0;-0;0} %" : "–")} |"));
            }
        }
        finally
        {
            foreach (var p in processes)
            {
                try
                {
                    p.Kill();
                    p.WaitForExit();
                }
                catch (InvalidOperationException)
                {
                }
            }

            foreach (var c in cgroups)
            {
                for (var i = 0; i < 100 && Directory.Exists(c); i++)
                {
                    try
                    {
                        Directory.Delete(c);
                    }
                    catch (IOException)
                    {
                        Thread.Sleep(20); // processes still leaving
                    }
                }
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A clock the harness moves: one sampling interval per round.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public void Step(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }

    private static double Median(List<double> v) => Percentile(v, 0.5);

    private static double Percentile(List<double> v, double p)
    {
        var sorted = v.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)];
    }

    private static unsafe long ThreadCpuNanoseconds()
    {
        long* ts = stackalloc long[2];
        _ = ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, ts);
        return (ts[0] * 1_000_000_000L) + ts[1];
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGetTime(int clock, long* ts);
}
