using System.Diagnostics;
using System.Text;
using Agent.Procfs;
using Agent.Runtimes;
using Xunit.Abstractions;

namespace Agent.Tests.Hostile;

/// <summary>
/// Mutation fuzzing of every /proc parser and of the exposition parser: no exception escapes
/// (the exposition parser may only throw FormatException), nothing hangs. 10 000 inputs per parser
/// in CI; AGENT_FUZZ_ITERATIONS=100000 (or more) on demand. Seeds are fixed and printed.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("AGENT_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 10_000;

    public static TheoryData<string> Parsers => new() { "stat", "status", "io", "limits", "btime", "exposition", "smaps_rollup", "task-stat", "net-tcp", "fd-link", "cgroup", "mountinfo", "cgroup-files", "memory-stat", "memory-events", "cpu-max", "cpu-stat", "pressure" };

    [Theory]
    [MemberData(nameof(Parsers))]
    public async Task Mutated_inputs_never_escape_an_exception_or_hang(string parser)
    {
        var (seeds, parse) = Target(parser);
        var mutator = new Mutator(parser.GetHashCode(StringComparison.Ordinal) ^ 20261125);
        var sw = Stopwatch.StartNew();
        var rejected = 0;
        var work = Task.Run(() =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                var input = mutator.Mutate(seeds[i % seeds.Length]);
                try
                {
                    parse(input);
                }
                catch (FormatException) when (parser == "exposition")
                {
                    rejected++;
                }
            }
        });

        // A hang would never finish: bound the whole run.
        await work.WaitAsync(TimeSpan.FromMinutes(5));
        output.WriteLine($"{parser}: {Iterations} mutated inputs in {sw.Elapsed.TotalSeconds:F2} s, {rejected} rejected with FormatException");
    }

    private static (byte[][] Seeds, Action<byte[]> Parse) Target(string parser) => parser switch
    {
        "stat" => (Seeds("stat-name-with-parens", "stat-pid1"), b => _ = ProcStat.TryParse(b, out _, out _)),
        "status" => (Seeds("status-sleep", "status-self", "status-old-kernel", "status-kernel-thread"), b => ProcStatus.Parse(b)),
        "io" => (Seeds("io-sleep"), b => ProcIo.Parse(b)),
        "limits" => (Seeds("limits-default", "limits-unlimited"), b => ProcLimits.Parse(b)),
        "btime" => (Seeds("proc-stat"), b => ProcSystem.ParseBootTime(b)),
        "smaps_rollup" => (Seeds("smaps_rollup-self", "smaps_rollup-4.14"), b => ProcSmapsRollup.Parse(b)),
        "task-stat" => (Seeds("task-stat-name-with-parens", "task-stat-main"), b => _ = ProcThreads.TryParse(b, out _)),
        "net-tcp" => (Seeds("net-tcp", "net-tcp6"), b => ProcNetTcp.Parse(b, [])),
        "fd-link" => ([.. new[] { "socket:[4026532]", "pipe:[17]", "anon_inode:[eventpoll]", "/tmp/a b (deleted)" }.Select(Encoding.UTF8.GetBytes)], b => ProcFdLink.Classify(b)),
        "cgroup" => ([File.ReadAllBytes(Path.Join(Fixtures.CgroupTree("v1"), "proc", "4242", "cgroup")), "0::/kubepods.slice/a\n"u8.ToArray()], b => ProcCgroup.Parse(b)),
        "mountinfo" => ([File.ReadAllBytes(Path.Join(Fixtures.CgroupTree("v1"), "proc", "self", "mountinfo")), File.ReadAllBytes(Path.Join(Fixtures.CgroupTree("v2-limited"), "proc", "self", "mountinfo"))], b => ProcMountInfo.Parse(b)),
        "cgroup-files" => (["low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n"u8.ToArray(), "max\n"u8.ToArray(), "9223372036854771712\n"u8.ToArray()],
            b => _ = (CgroupFiles.FlatKeyed(b, "oom_kill"u8), CgroupFiles.ParseLimit(b, out _), CgroupFiles.ParseValue(b))),
        "memory-stat" => ([CgroupFile("v2-full", "memory.stat"), CgroupFile("v1-hybrid", "memory.stat", "memory/process_api/app")], b => _ = (CgroupMemoryStat.Parse(b, 1), CgroupMemoryStat.Parse(b, 2).WorkingSet(100))),
        "memory-events" => ([CgroupFile("v2-full", "memory.events"), CgroupFile("v1-hybrid", "memory.oom_control", "memory/process_api/app")], b => _ = (CgroupMemoryEvents.Parse(b), CgroupMemoryEvents.ParseOomControl(b))),
        "cpu-max" => ([CgroupFile("v2-full", "cpu.max"), "max 100000\n"u8.ToArray(), "-1\n"u8.ToArray()], b => _ = (CgroupCpuMax.Parse(b).Cores, CgroupCpuMax.ParseV1(b, b).Cores)),
        "cpu-stat" => ([CgroupFile("v2-full", "cpu.stat"), CgroupFile("v1-hybrid", "cpu.stat", "cpu/app")], b => CgroupCpuStat.Parse(b)),
        "pressure" => ([CgroupFile("v2-full", "cpu.pressure"), CgroupFile("v2-pod-private-namespace", "cpu.pressure", null)], b => CgroupPressure.Parse(b)),
        _ => ([Encoding.UTF8.GetBytes(PythonExposition), Encoding.UTF8.GetBytes("# TYPE a counter\na_total{x=\"1\\\\\\\"\\n\"} 3 1700000000\na_created 1.7e9\n# EOF\n")],
              b => ExpositionParser.Parse(Encoding.UTF8.GetString(b))),
    };

    /// <summary>A file of a cgroup fixture tree: under the v2 pod container, a v1 hierarchy's <paramref name="dir"/>, or the pod tree's target root.</summary>
    private static byte[] CgroupFile(string tree, string file, string? dir = "") => File.ReadAllBytes(dir switch
    {
        null => Path.Join(Fixtures.CgroupTree(tree), "proc", "4242", "root", "sys", "fs", "cgroup", file),
        "" => Path.Join(Fixtures.CgroupTree(tree), "sys", "fs", "cgroup", "kubepods.slice", "kubepods-burstable.slice", "kubepods-burstable-pod77aa.slice", "cri-containerd-c0ffee.scope", file),
        _ => Path.Join(Fixtures.CgroupTree(tree), "sys", "fs", "cgroup", dir, file),
    });

    private static byte[][] Seeds(params string[] fixtures) => fixtures.Select(Fixtures.Proc).ToArray();

    private const string PythonExposition = """
        # HELP python_gc_objects_collected_total Objects collected during gc
        # TYPE python_gc_objects_collected_total counter
        python_gc_objects_collected_total{generation="0"} 325.0
        python_gc_objects_collected_total{generation="1"} 17.0
        # HELP python_info Python platform information
        # TYPE python_info gauge
        python_info{implementation="CPython",major="3",minor="11",patchlevel="2",version="3.11.2"} 1.0
        """;
}
