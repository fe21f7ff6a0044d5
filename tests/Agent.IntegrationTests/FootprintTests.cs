using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// What every pod pays, held to the budget committed in bench/footprint-budget.json: the size of the
/// shipped binary (deterministic for a given source tree and SDK, unlike time — this is not a timing
/// test) and the threads the idle agent runs, read from the kernel (<c>/proc/&lt;pid&gt;/task/*/comm</c>).
/// A change that needs more raises the budget in the same commit, with the measured reason
/// (docs/benchmarks.md, "Footprint").
/// </summary>
public sealed class FootprintTests
{
    private static readonly JsonElement Budget = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "bench", "footprint-budget.json"))).RootElement;

    [Fact]
    public async Task The_native_binary_stays_within_its_committed_budget()
    {
        var binary = await NativeBuild.Binary();
        var size = new FileInfo(binary).Length;
        var budget = Budget.GetProperty("binaryBytes").GetInt64();
        Assert.True(size <= budget, $"the native binary is {size:N0} bytes, over its budget of {budget:N0} (bench/footprint-budget.json): measure what grew with bench/footprint.py and bench/mstat, then cut it or raise the budget with the reason");
    }

    [Fact]
    public async Task The_idle_native_agent_runs_within_its_thread_budget_and_none_it_does_not_need()
    {
        // No configuration: the agent watches itself, the case where it used to open an EventPipe
        // session on itself.
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>()); // the native binary
        await Poll.Until(async () => (await agent.Metrics()).Value("target_runtime_connected", "runtime", "dotnet") == 1, TimeSpan.FromSeconds(15), "the agent reads its own runtime counters");
        await Poll.Until(async () => (await agent.Metrics()).Value("target_dotnet_gc_heap_size_bytes") > 0, TimeSpan.FromSeconds(15), "its own counters have values");

        // Idle: the pool retires workers it no longer needs (after 20 s without work), so the count
        // settles; the budget holds once it has.
        var budget = Budget.GetProperty("idleThreads").GetInt32();
        await Poll.Until(() => Threads(agent.Process.Pid).Count <= budget, TimeSpan.FromSeconds(60), $"the idle agent at or under its budget of {budget} threads (when the wait began: {string.Join(", ", Threads(agent.Process.Pid).Order())})");

        // Reloading appsettings.json (inotify), an EventPipe session on itself (the runtime's writer,
        // the meter's aggregation thread) and its reader: none of them needed when watching itself.
        var names = Threads(agent.Process.Pid);
        Assert.DoesNotContain(".NET File Watch", names);
        Assert.DoesNotContain("MetricsEventSou", names);
        Assert.DoesNotContain(".NET Long Runni", names);
        Assert.True(names.Count(n => n == ".NET EventPipe") <= 1, "only the diagnostic server's thread: " + string.Join(", ", names));
    }

    private static List<string> Threads(int pid) =>
        [.. Directory.EnumerateDirectories($"/proc/{pid}/task").Select(t => File.ReadAllText(Path.Combine(t, "comm")).Trim())];
}
