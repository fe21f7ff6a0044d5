using System.Globalization;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The chart and the demo cannot run here (no cluster, no Docker engine), so what can be checked
/// is: a real helm lints and renders the chart for every value set and the rendered manifests pass
/// the Kubernetes schema (tests/manifests/helm.mjs), and the agent started with exactly the
/// environment each rendering (and docker/compose.yaml) gives its container accepts every key.
/// </summary>
public sealed class ChartEnvironmentTests
{
    private static readonly string Manifests = Path.Combine(Repo.Root, "tests", "manifests");

    /// <summary>helm.mjs, once for the class: it renders every value set into tests/manifests/out.</summary>
    private static readonly Lazy<Task> Rendered = new(async () =>
    {
        if (!Directory.Exists(Path.Combine(Manifests, "node_modules")))
        {
            var install = await Tool.Run("npm", ["ci", "--no-audit", "--no-fund"], Manifests);
            Assert.True(install.ExitCode == 0, install.Output);
        }

        var helm = await Tool.Run("node", ["helm.mjs"], Manifests);
        Assert.True(helm.ExitCode == 0, helm.Output);
        Assert.Contains("all helm checks passed", helm.Output, StringComparison.Ordinal);
    });

    [Fact]
    public async Task Helm_lints_and_renders_every_value_set_and_the_agent_accepts_each_rendered_environment()
    {
        await Rendered.Value;

        var sets = Directory.GetFiles(Path.Combine(Manifests, "out"), "*.env.json").Order(StringComparer.Ordinal).ToList();
        Assert.Contains(sets, s => s.EndsWith("compose.env.json", StringComparison.Ordinal));
        Assert.True(sets.Count >= 9, "default, seven value sets and compose: " + string.Join(", ", sets));
        var secrets = Directory.CreateTempSubdirectory("agent-chart-secrets");
        try
        {
            foreach (var set in sets)
            {
                await StartWith(Path.GetFileName(set), Environment(set, secrets.FullName));
            }
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }

    /// <summary>The container's variables, with the mounted secret files mapped to temp files holding a well-formed value of their kind.</summary>
    private static Dictionary<string, string?> Environment(string file, string secrets)
    {
        var env = JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => (string?)e.GetProperty("value").GetString());
        env.Remove("ASPNETCORE_URLS"); // the test picks a free loopback port
        foreach (var (name, value) in env.ToList())
        {
            if (value is not null && value.StartsWith("/var/run/secrets/", StringComparison.Ordinal))
            {
                env[name] = SecretFile(env, name, secrets);
            }
        }

        return env;
    }

    /// <summary>A temp file holding a well-formed value of what <paramref name="name"/> reads: a token, or a connection string of its probe's kind.</summary>
    private static string SecretFile(Dictionary<string, string?> env, string name, string dir)
    {
        var path = Path.Combine(dir, name);
        var kind = env.GetValueOrDefault(name.Replace("ConnectionStringFile", "Kind", StringComparison.Ordinal));
        File.WriteAllText(path, name.EndsWith("TokenFile", StringComparison.Ordinal) ? "chart-test-token-0123456789abcdef" : kind == "redis" ? "127.0.0.1:1,abortConnect=false" : "Host=127.0.0.1;Port=1;Username=app;Password=p");
        return path;
    }

    [Fact]
    public async Task The_helm_test_pod_runs_the_real_check_with_what_it_mounts()
    {
        await Rendered.Value;
        var pods = Directory.GetFiles(Path.Combine(Manifests, "out"), "*.check.json").Order(StringComparer.Ordinal).ToList();
        Assert.Contains(pods, p => p.EndsWith("diagnostics.check.json", StringComparison.Ordinal));
        foreach (var pod in pods)
        {
            var spec = JsonDocument.Parse(await File.ReadAllTextAsync(pod)).RootElement;
            var mounts = spec.GetProperty("mounts").EnumerateArray().Select(m => m.GetString()!).ToList();
            var env = spec.GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => (string?)e.GetProperty("value").GetString());
            env.Remove("ASPNETCORE_URLS");
            var root = Directory.CreateTempSubdirectory("helm-test-pod").FullName;
            try
            {
                // A path the Pod mounts exists (a secret's file holds a value of its kind); any other
                // path stays as rendered, so a file the Pod forgot to mount is missing here too.
                foreach (var (name, value) in env.ToList())
                {
                    if (value is null || mounts.FirstOrDefault(m => value == m || value.StartsWith(m + "/", StringComparison.Ordinal)) is not { } mount)
                    {
                        continue;
                    }

                    var local = Path.Combine(root, mount.TrimStart('/'));
                    Directory.CreateDirectory(local);
                    env[name] = value == mount ? local : SecretFile(env, name, local);
                }

                var args = spec.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();
                var run = await AgentCheck.Run(args, env: env);

                // 0 or 1 (no dependency runs here), never 2: the configuration the Pod is given is whole.
                Assert.True(run.ExitCode is 0 or 1, $"{Path.GetFileName(pod)}: exit {run.ExitCode}: {run.Stdout}{run.Stderr}");
                Assert.DoesNotContain("configuration error", run.Stdout, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static async Task StartWith(string set, Dictionary<string, string?> env)
    {
        // A Port selector gets a real listener: the rendered port (app.port) moved to a free one, as
        // ASPNETCORE_URLS is, and the target must resolve to the listener's pid.
        var listeners = new List<(string Target, ChildProcess Process)>();
        try
        {
            foreach (var key in env.Keys.Where(k => k == "Target__Port" || (k.StartsWith("Targets__", StringComparison.Ordinal) && k.EndsWith("__Port", StringComparison.Ordinal))).ToList())
            {
                var port = Net.FreePort();
                var listener = ChildProcess.Start("/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture)]);
                listeners.Add((key == "Target__Port" ? "app" : key.Split("__")[1], listener));
                env[key] = port.ToString(CultureInfo.InvariantCulture);
                await Poll.Until(
                    async () =>
                    {
                        using var client = new System.Net.Sockets.TcpClient();
                        try
                        {
                            await client.ConnectAsync("127.0.0.1", port);
                            return true;
                        }
                        catch (System.Net.Sockets.SocketException)
                        {
                            return false;
                        }
                    },
                    TimeSpan.FromSeconds(30),
                    $"{set}: listener on {port}");
            }

            await StartWith(set, env, listeners);
        }
        finally
        {
            foreach (var (_, listener) in listeners)
            {
                await listener.DisposeAsync();
            }
        }
    }

    private static async Task StartWith(string set, Dictionary<string, string?> env, List<(string Target, ChildProcess Process)> listeners)
    {
        // Every key is one of the agent's: an unknown or malformed one exits 2 and Start throws with stderr.
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(), env: env);
        using var response = await agent.Http.GetAsync("/ready"); // 503 is fine: no target, no dependency here
        var ready = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var landing = await agent.Http.GetStringAsync("/");

        // Taken, not merely tolerated: each probe is listed, the selector is the configured one.
        foreach (var probe in env.Keys.Where(k => k.StartsWith("Probes__", StringComparison.Ordinal) && k.EndsWith("__Kind", StringComparison.Ordinal)).Select(k => k.Split("__")[1]))
        {
            Assert.True(ready.GetProperty("entries").TryGetProperty(probe, out _), $"{set}: probe {probe} missing from /ready");
        }

        if (env.GetValueOrDefault("Target__ProcessName") is { } name)
        {
            Assert.Contains($"name={name}", landing, StringComparison.Ordinal);
        }

        // Each named target is an entry of /ready (the rendered Targets__<name>__* taken as targets).
        foreach (var named in env.Keys.Where(k => k.StartsWith("Targets__", StringComparison.Ordinal)).Select(k => k.Split("__")[1]).Distinct())
        {
            Assert.True(ready.GetProperty("entries").TryGetProperty("target:" + named, out var entry), $"{set}: target {named} missing from /ready");
            if (env.GetValueOrDefault($"Targets__{named}__Required") == "false")
            {
                Assert.NotEqual("Unhealthy", entry.GetProperty("status").GetString()); // optional: never holds /ready down
            }
        }

        foreach (var (target, listener) in listeners)
        {
            await Poll.Until(
                async () =>
                {
                    using var r = await agent.Http.GetAsync("/ready");
                    var entries = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("entries");
                    return entries.TryGetProperty("target:" + target, out var e) && e.TryGetProperty("data", out var data)
                        && data.TryGetProperty("pid", out var pid) && pid.GetString() == listener.Pid.ToString(CultureInfo.InvariantCulture);
                },
                TimeSpan.FromSeconds(30),
                $"{set}: target {target} is the process listening on its port ({listener.Pid})");
        }

        // The agent's own series as Telemetry:SelfMetrics says (an unquoted `off` in the values is YAML's false).
        var own = (await agent.Metrics()).Where(m => m.Name.StartsWith("process_", StringComparison.Ordinal) || m.Name.StartsWith("dotnet_", StringComparison.Ordinal)).ToList();
        switch (env.GetValueOrDefault("Telemetry__SelfMetrics"))
        {
            case "off":
                Assert.True(own.Count == 0, $"{set}: SelfMetrics off, yet {string.Join(", ", own.Select(m => m.Name).Distinct())}");
                break;
            case "minimal":
                Assert.InRange(own.Count, 1, 6);
                break;
            default:
                Assert.True(own.Count > 6, $"{set}: SelfMetrics full gave {own.Count} series");
                break;
        }

        if (env.GetValueOrDefault("Security__DiagnosticsTokenFile") is { } tokenFile)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/diag/capabilities");
            request.Headers.Authorization = new("Bearer", (await File.ReadAllTextAsync(tokenFile)).Trim());
            using var capabilities = await agent.Http.SendAsync(request);
            Assert.True(capabilities.IsSuccessStatusCode, $"{set}: /diag/capabilities with the mounted token: {(int)capabilities.StatusCode}");
        }

        if (env.ContainsKey("Runtime__MetricsUrl"))
        {
            Assert.NotNull((await agent.Metrics()).Value("target_runtime_connected", "runtime", "federated"));
        }

        Assert.False(agent.Process.HasExited, set);
    }
}
