using System.Net;
using System.Text.Json;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>The built agent, started as its own process on a free loopback port.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private AgentProcess(ChildProcess process, int port)
    {
        Process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public ChildProcess Process { get; }

    public int Port { get; }

    public HttpClient Http { get; }

    /// <summary>
    /// Starts the agent with configuration as command-line arguments: the published Native AOT
    /// binary (what ships), or the JIT build (<c>dotnet agent.dll</c>) when <paramref name="jitBecause"/>
    /// says why this test cannot use the binary.
    /// </summary>
    /// <param name="launcher">A command that runs the agent, e.g. <c>nsenter -t PID -p -m --</c> (a pod's namespace).</param>
    public static async Task<AgentProcess> Start(IDictionary<string, string> settings, bool waitHealthy = true, IDictionary<string, string?>? env = null, int? port = null, bool urlArgument = true, IReadOnlyList<string>? launcher = null, string? jitBecause = null, string? workingDirectory = null)
    {
        var listen = port ?? Net.FreePort();
        var args = new List<string>();
        var command = await AgentCommand.For(jitBecause);
        var file = command[0];
        args.AddRange(command.Skip(1));
        if (launcher is { Count: > 0 })
        {
            args.Insert(0, file);
            args.InsertRange(0, launcher.Skip(1));
            file = launcher[0];
        }

        if (urlArgument)
        {
            args.Add("--urls");
            args.Add($"http://127.0.0.1:{listen}");
        }

        foreach (var (k, v) in settings)
        {
            args.Add($"--{k}={v}");
        }

        // The environment the Dockerfile ships (the chart and the systemd unit set the same),
        // read from the Dockerfile; its listen URL is replaced by the loopback port above.
        var environment = ShippedDockerfile.Environment.Where(e => e.Key != "ASPNETCORE_URLS").ToDictionary(e => e.Key, string? (e) => e.Value);
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            environment[k] = v;
        }

        var agent = new AgentProcess(ChildProcess.Start(file, args, environment, workingDirectory), listen);
        if (waitHealthy)
        {
            await agent.WaitHealthy();
        }

        return agent;
    }

    public Task WaitHealthy() => Poll.Until(
        async () =>
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"agent exited with {Process.ExitCode}: {Process.Stderr}");
            }

            using var r = await Http.GetAsync("/health");
            return r.StatusCode == HttpStatusCode.OK;
        },
        TimeSpan.FromSeconds(30),
        "agent /health 200");

    public async Task<string> MetricsText()
    {
        using var r = await Http.GetAsync("/metrics");
        r.EnsureSuccessStatusCode();
        return await r.Content.ReadAsStringAsync();
    }

    /// <summary>/ready's status code, parsed body and raw text (503 bodies too).</summary>
    public async Task<(HttpStatusCode Code, JsonElement Body, string Raw)> Ready()
    {
        using var r = await Http.GetAsync("/ready");
        var raw = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, JsonDocument.Parse(raw).RootElement.Clone(), raw);
    }

    /// <summary>One probe's entry of /ready.</summary>
    public async Task<JsonElement> ReadyEntry(string probe) => (await Ready()).Body.GetProperty("entries").GetProperty(probe);

    /// <summary>One probe's failure reason in /ready, null while it is healthy.</summary>
    public async Task<string?> ReadyReason(string probe) =>
        (await ReadyEntry(probe)).TryGetProperty("reason", out var r) ? r.GetString() : null;

    public async Task<List<Series>> Metrics() => Exposition.Parse(await MetricsText());

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
