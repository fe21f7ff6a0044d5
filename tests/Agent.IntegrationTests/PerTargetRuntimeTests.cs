using System.Globalization;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// Runtime attachment per named target: each .NET target has its own EventPipe session and each
/// target its own federated endpoint; every series carries its own target's label and agrees with
/// THAT target's report of itself; one target's end touches only its own series.
/// </summary>
public sealed class PerTargetRuntimeTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private static double? Of(List<Series> m, string name, string target, string? label = null, string? value = null) =>
        m.Named(name).Where(s => s["target"] == target && (label is null || s[label] == value)).Select(s => (double?)s.Value).FirstOrDefault();

    private static bool AnyOf(List<Series> m, string prefix, string target) =>
        m.Any(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && s["target"] == target);

    /// <summary>Polls; on timeout the message says what each target last showed.</summary>
    private static async Task Until(Func<Task<bool>> attempt, TimeSpan deadline, string what, Func<string> detail)
    {
        try
        {
            await Poll.Until(attempt, deadline, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + ";" + detail(), e);
        }
    }

    [Fact]
    public async Task Two_dotnet_targets_each_have_their_own_session_and_a_kill_ends_only_its_own()
    {
        var (tagA, tagB) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        await using var alpha = await DotnetTarget.Start(tag: tagA);
        await using var beta = await DotnetTarget.Start(tag: tagB);
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Targets:alpha:CommandLinePattern"] = DotnetTarget.PatternFor(tagA),
            ["Targets:beta:CommandLinePattern"] = DotnetTarget.PatternFor(tagB),
            ["Sampling:Interval"] = Interval.ToString(),
        });
        await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                return Of(m, "target_runtime_connected", "alpha", "runtime", "dotnet") == 1 && Of(m, "target_runtime_connected", "beta", "runtime", "dotnet") == 1
                    && Of(m, "target_dotnet_exceptions_total", "alpha") is not null && Of(m, "target_dotnet_exceptions_total", "beta") is not null;
            },
            TimeSpan.FromSeconds(30),
            "both runtimes connected");

        // Different work in each, so a swapped label shows: gen2 counts and exceptions differ.
        var ownA = await alpha.Command("gc 15");
        var ownB = await beta.Command("gc 3");
        Assert.NotEqual(ownA["gen2"], ownB["gen2"]);
        var before = await agent.Metrics();
        var (agentExA, agentExB) = (Of(before, "target_dotnet_exceptions_total", "alpha")!.Value, Of(before, "target_dotnet_exceptions_total", "beta")!.Value);
        var (stateA, stateB) = (await alpha.Command("state"), await beta.Command("state"));
        var (thrownA, thrownB) = (await alpha.Command("throw 20"), await beta.Command("throw 7"));

        var last = string.Empty;
        await Until(
            async () =>
            {
                var m = await agent.Metrics();
                bool Agrees(string t, Dictionary<string, long> own, Dictionary<string, long> state, Dictionary<string, long> thrown, double agentEx)
                {
                    var gen2 = Of(m, "target_dotnet_gc_collections_total", t, "generation", "gen2");
                    var heap = Of(m, "target_dotnet_gc_heap_size_bytes", t);
                    var ex = Of(m, "target_dotnet_exceptions_total", t);
                    last += $" {t}: gen2={gen2} (own {own["gen2"]}) heap={heap} (own {own["heap"]}) exceptions+={ex - agentEx} (own +{thrown["exceptions"] - state["exceptions"]});";
                    return gen2 == own["gen2"] && heap is { } h && Math.Abs(h - own["heap"]) <= 0.2 * own["heap"]
                        && ex - agentEx == thrown["exceptions"] - state["exceptions"];
                }

                last = string.Empty;
                return Agrees("alpha", ownA, stateA, thrownA, agentExA) & Agrees("beta", ownB, stateB, thrownB, agentExB);
            },
            TimeSpan.FromSeconds(20),
            "each target's counters equal its own report",
            () => last);

        // Kill alpha: its session ends, its series go and its gauge drops to 0; beta keeps delivering.
        alpha.Process.Kill();
        await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                return Of(m, "target_runtime_connected", "alpha", "runtime", "dotnet") == 0 && !AnyOf(m, "target_dotnet_", "alpha");
            },
            TimeSpan.FromSeconds(20),
            "alpha's runtime series gone, its connected gauge 0");
        var ownB2 = await beta.Command("gc 4");
        await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                return Of(m, "target_runtime_connected", "beta", "runtime", "dotnet") == 1 && Of(m, "target_dotnet_gc_collections_total", "beta", "generation", "gen2") == ownB2["gen2"];
            },
            TimeSpan.FromSeconds(20),
            "beta still delivers its own counts after alpha's kill");
        Assert.False(AnyOf(await agent.Metrics(), "target_dotnet_", "alpha"));
    }

    [Fact]
    public async Task Two_python_targets_each_federate_their_own_endpoint_under_their_own_label()
    {
        var (portA, portB) = (Net.FreePort(), Net.FreePort());
        while (portB == portA)
        {
            portB = Net.FreePort();
        }

        var script = Path.Combine(Repo.Targets, "prom_target.py");
        await using var a = ChildProcess.Start("/usr/bin/python3", [script, portA.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string?> { ["MARK"] = "11" });
        await using var b = ChildProcess.Start("/usr/bin/python3", [script, portB.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string?> { ["MARK"] = "22" });
        await a.WaitForOutput("ready", TimeSpan.FromSeconds(20));
        await b.WaitForOutput("ready", TimeSpan.FromSeconds(20));
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Targets:pya:Pid"] = a.Pid.ToString(CultureInfo.InvariantCulture),
            ["Targets:pya:MetricsUrl"] = $"http://127.0.0.1:{portA}/metrics",
            ["Targets:pyb:Pid"] = b.Pid.ToString(CultureInfo.InvariantCulture),
            ["Targets:pyb:MetricsUrl"] = $"http://127.0.0.1:{portB}/metrics",
            ["Runtime:MetricsInclude"] = "^(python_|app_)",
            ["Sampling:Interval"] = "00:00:00.250",
        });
        using var direct = new HttpClient();

        var last = string.Empty;
        await Until(
            async () =>
            {
                var ownA = Exposition.Parse(await direct.GetStringAsync($"http://127.0.0.1:{portA}/metrics"));
                var ownB = Exposition.Parse(await direct.GetStringAsync($"http://127.0.0.1:{portB}/metrics"));
                var m = await agent.Metrics();
                bool Agrees(string t, List<Series> own)
                {
                    var mark = Of(m, "target_app_mark", t);
                    var gen2 = Of(m, "target_python_gc_collections_total", t, "generation", "2");
                    last += $" {t}: mark={mark} (own {own.Value("app_mark")}) gen2={gen2} (own {own.Value("python_gc_collections_total", "generation", "2")});";
                    return mark is not null && mark == own.Value("app_mark") && gen2 is not null && gen2 == own.Value("python_gc_collections_total", "generation", "2")
                        && Of(m, "target_runtime_connected", t, "runtime", "federated") == 1
                        && m.Named("target_app_mark").Count(s => s["target"] == t) == 1;
                }

                last = string.Empty;
                return Agrees("pya", ownA) & Agrees("pyb", ownB);
            },
            TimeSpan.FromSeconds(20),
            "each target's federated series equal its own endpoint's",
            () => last);
        Assert.Equal(2, (await agent.Metrics()).Named("target_app_mark").Count());

        // pya's endpoint dies: only its series go.
        a.Kill();
        await Poll.Until(
            async () =>
            {
                var m = await agent.Metrics();
                return Of(m, "target_runtime_connected", "pya", "runtime", "federated") == 0 && !AnyOf(m, "target_python_", "pya") && !AnyOf(m, "target_app_", "pya");
            },
            TimeSpan.FromSeconds(20),
            "pya's federated series gone");
        var after = await agent.Metrics();
        Assert.Equal(1, Of(after, "target_runtime_connected", "pyb", "runtime", "federated"));
        Assert.Equal(Exposition.Parse(await direct.GetStringAsync($"http://127.0.0.1:{portB}/metrics")).Value("app_mark"), Of(after, "target_app_mark", "pyb"));
    }

    [Fact]
    public async Task Diag_capabilities_check_each_targets_own_metrics_endpoint()
    {
        var (port, dead) = (Net.FreePort(), Net.FreePort());
        while (dead == port)
        {
            dead = Net.FreePort();
        }

        var directory = Directory.CreateTempSubdirectory("per-target-caps-").FullName;
        try
        {
            await using var python = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "prom_target.py"), port.ToString(CultureInfo.InvariantCulture)]);
            await python.WaitForOutput("ready", TimeSpan.FromSeconds(20));
            await using var idle = ChildProcess.Start("/bin/sleep", ["300"]);
            await using var agent = await AgentProcess.Start(new Dictionary<string, string>
            {
                ["Targets:pya:Pid"] = python.Pid.ToString(CultureInfo.InvariantCulture),
                ["Targets:pya:MetricsUrl"] = $"http://127.0.0.1:{port}/metrics",
                ["Targets:idle:Pid"] = idle.Pid.ToString(CultureInfo.InvariantCulture),
                ["Targets:idle:MetricsUrl"] = $"http://127.0.0.1:{dead}/metrics",
                ["Sampling:Interval"] = "00:00:00.250",
                ["Security:DiagnosticsToken"] = "per-target-t0ken-0123456789",
                ["Diagnostics:Directory"] = Path.Combine(directory, "artifacts"),
                ["Diagnostics:StacksDirectory"] = directory,
                ["Diagnostics:MinFreeBytes"] = "0",
            });
            using var http = new HttpClient { BaseAddress = agent.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "per-target-t0ken-0123456789");
            await Poll.Until(async () => (await agent.Metrics()).Value("target_up", "target", "idle") == 1 && (await agent.Metrics()).Value("target_up", "target", "pya") == 1, TimeSpan.FromSeconds(15), "both targets up");

            var all = JsonDocument.Parse(await http.GetStringAsync("/diag/capabilities")).RootElement.EnumerateArray().ToList();
            JsonElement Federation(string target) => all.Single(t => t.GetProperty("target").GetString() == target)
                .GetProperty("access").GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "federation_url");

            var reachable = Federation("pya");
            Assert.Equal("Available", reachable.GetProperty("status").GetString());
            Assert.Contains(port.ToString(CultureInfo.InvariantCulture), reachable.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var refused = Federation("idle");
            Assert.Equal("Unavailable", refused.GetProperty("status").GetString());
            Assert.Contains(dead.ToString(CultureInfo.InvariantCulture), refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("Targets:idle:MetricsUrl", refused.GetProperty("fix").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
