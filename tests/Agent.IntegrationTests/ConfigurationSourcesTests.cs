using System.Net;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The README's configuration sources beside the command line, on the binary: appsettings.json in
/// the directory the agent starts from (its keys checked like any other), HTTP_PORTS and
/// Kestrel:Endpoints replacing the default listen address.
/// </summary>
public sealed class ConfigurationSourcesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sources-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Appsettings_json_in_the_working_directory_configures_the_agent()
    {
        await using var target = ChildProcess.Start("/bin/sleep", ["300"]);
        await File.WriteAllTextAsync(Path.Combine(_dir, "appsettings.json"), $$"""
            { "Target": { "Pid": {{target.Pid}} }, "Sampling": { "Interval": "00:00:00.200" } }
            """);

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(), workingDirectory: _dir);

        var info = await Poll.Until(async () => (await agent.Metrics()).Named("target_process_info").SingleOrDefault(), TimeSpan.FromSeconds(10), "the target from appsettings.json");
        Assert.Equal(target.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), info["pid"]);
    }

    [Fact]
    public async Task A_misspelt_key_in_appsettings_json_stops_startup_naming_it()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "appsettings.json"), """{ "Sampling": { "Intervall": "00:00:01" } }""");

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(), waitHealthy: false, workingDirectory: _dir);

        Assert.Equal(2, await agent.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains("configuration error: Sampling:Intervall", agent.Process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ports_replaces_the_default_listen_address()
    {
        var port = Net.FreePort();

        await using var agent = await AgentProcess.Start(new Dictionary<string, string>(), port: port, urlArgument: false, env: new Dictionary<string, string?> { ["HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);
        Assert.Contains($":{port}", string.Join(' ', ListeningOn(agent.Process.Pid)), StringComparison.Ordinal);
        Assert.DoesNotContain(":9464", string.Join(' ', ListeningOn(agent.Process.Pid)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kestrel_endpoints_replace_the_default_listen_address()
    {
        var port = Net.FreePort();

        await using var agent = await AgentProcess.Start(
            new Dictionary<string, string> { ["Kestrel:Endpoints:web:Url"] = $"http://127.0.0.1:{port}" },
            port: port,
            urlArgument: false);

        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);
        Assert.Equal([$"127.0.0.1:{port}"], ListeningOn(agent.Process.Pid));
    }

    /// <summary>The local addresses the process listens on, as the kernel lists them (ss).</summary>
    private static List<string> ListeningOn(int pid)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ss", ["-Hltnp"]) { RedirectStandardOutput = true };
        using var ss = System.Diagnostics.Process.Start(psi)!;
        var text = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        return [.. text.Split('\n').Where(l => l.Contains($"pid={pid},", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])];
    }
}
