using System.Globalization;
using Agent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// The randomized lifecycle run: <c>tests/fixtures/targets/lifecycle.py</c> spawns, execs, forks,
/// orphans, kills and replaces the processes of one target (<c>IncludeChildren</c>, 100 ms
/// interval) for 60 s from a seed, logging every replacement it makes. The agent's restarts must
/// equal that count, no counter may fall without a restart over every scrape, and at the end the
/// tree's CPU must equal the kernel's <c>utime + stime + cutime + cstime</c> of the last root (it
/// has reaped everything). <c>AGENT_LIFECYCLE_SEED</c> replays a run; <c>AGENT_LIFECYCLE_SECONDS</c>
/// changes its length; the long form (<c>AGENT_LONG_SUITES=1</c>) makes 5 runs, seeds seed … seed + 4.
/// Figures: docs/reliability.md.
/// </summary>
public sealed class LifecycleRandomTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifecycle-random-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int Setting(string name, int otherwise) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : otherwise;

    [Fact]
    public async Task A_randomized_lifecycle_keeps_restarts_counters_and_tree_cpu_true()
    {
        var first = Setting("AGENT_LIFECYCLE_SEED", Random.Shared.Next(int.MaxValue - 10));
        var seconds = Setting("AGENT_LIFECYCLE_SECONDS", 60);
        var failures = new List<string>();
        for (var run = 0; run < Suite.Pick(1, 5); run++)
        {
            failures.AddRange(await Run(first + run, seconds));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>One run of the generator; what went wrong, each item naming the seed.</summary>
    private async Task<List<string>> Run(int seed, int seconds)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed} ({seconds} s): replay with AGENT_LIFECYCLE_SEED={seed}"));
        var marker = "lc" + Guid.NewGuid().ToString("N")[..8];
        var log = Path.Combine(_dir, $"lifecycle-{seed}.log");
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:CommandLinePattern"] = $@"lifecycle\.py root {marker} ",
            ["Target:IncludeChildren"] = "true",
            ["Sampling:Interval"] = "00:00:00.100",
        });
        await using var generator = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "lifecycle.py"), "controller", seed.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture), marker, log]);

        // Scrape all along (the exporter caches a response 300 ms: consecutive scrapes may repeat a body).
        var watch = new CounterWatch("app");
        string[] Lines() => File.Exists(log) ? File.ReadAllLines(log) : [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds + 60);
        while (!Lines().Any(l => l.Contains(" replacements ", StringComparison.Ordinal)) || watch.Scrapes < 1000)
        {
            Assert.True(DateTime.UtcNow < deadline && !(generator.HasExited && watch.Scrapes > 0), $"seed {seed}: the generator did not finish ({watch.Scrapes} scrapes, exited: {generator.HasExited}): {generator.Stderr}\n{string.Join('\n', Lines())}");
            watch.Add(await agent.Metrics());
            await Task.Delay(40);
        }

        var lines = Lines();
        var replacements = int.Parse(lines.Single(l => l.Contains(" replacements ", StringComparison.Ordinal)).Split(' ')[^1], CultureInfo.InvariantCulture);
        var quiet = int.Parse(lines.Single(l => l.Contains(" quiet ", StringComparison.Ordinal)).Split(' ')[^1], CultureInfo.InvariantCulture);
        var kernel = KernelStat.Read(quiet) ?? throw new InvalidOperationException($"seed {seed}: the last root {quiet} is gone");

        // The last root has reaped its whole tree and idles: the agent settles on its accounting.
        var failures = new List<string>();
        double cpu = double.NaN, restarts = double.NaN;
        var settled = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        do
        {
            var m = await agent.Metrics();
            watch.Add(m);
            cpu = (m.Value("target_process_cpu_seconds_total", "mode", "user") ?? double.NaN) + (m.Value("target_process_cpu_seconds_total", "mode", "system") ?? double.NaN);
            restarts = m.Value("target_restarts_total") ?? double.NaN;
            if (Math.Abs(cpu - kernel.TreeSeconds) < 0.5 / KernelStat.ClockTicks && restarts == replacements)
            {
                break;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < settled);

        var error = Math.Abs(cpu - kernel.TreeSeconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lifecycle | seed {seed} | {seconds} s | replacements {replacements} | restarts {restarts} | {watch.Summary} | tree cpu agent {cpu:F2} s kernel {kernel.TreeSeconds:F2} s error {error:F3} s"));
        if (restarts != replacements)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"restarts {restarts}, the generator made {replacements} replacements"));
        }

        if (watch.Decreases.Count > 0)
        {
            failures.Add(watch.Summary);
        }

        if (watch.Scrapes < 1000)
        {
            failures.Add($"only {watch.Scrapes} scrapes");
        }

        if (error > (1.0 / KernelStat.ClockTicks) + 1e-9)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"tree CPU {cpu:F2} s, kernel utime+stime+cutime+cstime of the last root {kernel.TreeSeconds:F2} s"));
        }

        return failures.Count == 0 ? [] : [$"seed {seed} (replay with AGENT_LIFECYCLE_SEED={seed}): {string.Join("; ", failures)}\n{string.Join('\n', lines)}"];
    }
}
