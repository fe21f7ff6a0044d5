using System.Text.Json;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A real Prometheus scraping one agent every second with the shipped rules
/// (charts/agent/files/agent-rules.yaml) evaluated every second, in a temporary directory removed on
/// dispose. <see cref="Query"/> answers an instant query's result array; <see cref="Api"/> the rest.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly ChildProcess _process;

    private PrometheusServer(string dir, ChildProcess process, HttpClient api)
    {
        _dir = dir;
        _process = process;
        Api = api;
    }

    public HttpClient Api { get; }

    public static async Task<PrometheusServer> Start(int agentPort)
    {
        var dir = Directory.CreateTempSubdirectory("prometheus-").FullName;
        var port = Net.FreePort();
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {Path.Combine(Repo.Root, "charts", "agent", "files", "agent-rules.yaml")}
            scrape_configs:
              - job_name: sidecar-agent
                static_configs:
                  - targets: ["127.0.0.1:{agentPort}"]
            """);
        var process = ChildProcess.Start("prometheus", [
            "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir, "data"),
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"]);
        return new PrometheusServer(dir, process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
    }

    /// <summary>An instant query's <c>data.result</c> array.</summary>
    public async Task<JsonElement> Query(string promql)
    {
        var json = await Api.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        return JsonDocument.Parse(json).RootElement.GetProperty("data").GetProperty("result").Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
