using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// What a user meets before the agent runs, on the shipped binary: a taken port is one line and a
/// documented exit code; a misspelled section stops startup naming it; relative paths are the
/// user's, from the directory the agent (or <c>dotnet run</c>) was started in.
/// </summary>
public sealed class StartupFailureTests
{
    [Fact]
    public async Task A_taken_port_is_one_line_and_exit_1_not_an_unhandled_exception()
    {
        var binary = await NativeBuild.Binary();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var agent = ChildProcess.Start(binary, [$"--urls=http://127.0.0.1:{port}"]);
        var code = await agent.WaitForExit(TimeSpan.FromSeconds(60));

        // Before: "Unhandled exception. System.IO.IOException: Failed to bind", SIGABRT, exit 134.
        Assert.True(code == 1, $"exit {code}: {agent.Stderr}");
        var lines = agent.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith($"agent: cannot listen on http://127.0.0.1:{port}: taken", line, StringComparison.Ordinal);
        Assert.Contains("--urls", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelled_section_stops_startup_from_arguments_and_from_the_environment()
    {
        var binary = await NativeBuild.Binary();
        var port = Net.FreePort();

        await using var fromArgs = ChildProcess.Start(binary, [$"--urls=http://127.0.0.1:{port}", "--Prob:web:Kind=tcp", "--Prob:web:Address=127.0.0.1:1"]);
        await using var fromEnv = ChildProcess.Start(binary, [$"--urls=http://127.0.0.1:{port}"], new Dictionary<string, string?> { ["Probe__db__Kind"] = "redis" });
        var check = await AgentCheck.Run(["check", "--Prob:web:Kind=tcp"]);

        // Before: both started with no probe and a healthy /ready; check said "result: ok".
        Assert.Equal(2, await fromArgs.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("Prob: unknown section (did you mean Probes?)", fromArgs.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, await fromEnv.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("Probe: unknown section (did you mean Probes?), set by an environment variable Probe__", fromEnv.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, check.ExitCode);
        Assert.Contains("configuration error: Prob: unknown section", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relative_pid_file_is_read_from_the_directory_the_agent_was_started_in()
    {
        var binary = await NativeBuild.Binary();
        var dir = Directory.CreateTempSubdirectory("cwd-").FullName;
        try
        {
            await using var app = ChildProcess.Start("sleep", ["300"]);
            await File.WriteAllTextAsync(Path.Combine(dir, "app.pid"), app.Pid.ToString(CultureInfo.InvariantCulture));

            var found = await RunIn(dir, binary, ["check", "--output", "json", "--urls=http://127.0.0.1:0", "--Target:PidFile=app.pid"]);
            var missing = await RunIn(dir, binary, ["check", "--urls=http://127.0.0.1:0", "--Target:PidFile=nope.pid"]);

            Assert.True(found.ExitCode == 0, found.Output);
            Assert.Contains($"\"pid\": {app.Pid}", found.Output, StringComparison.Ordinal);
            // The error names the absolute path it tried, so a user sees which directory was meant.
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains(Path.Combine(dir, "nope.pid"), missing.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Dotnet_run_keeps_the_users_directory_for_relative_paths()
    {
        // The README's run command is `dotnet run --project src/Agent`; without RunWorkingDirectory
        // it starts the agent in src/Agent and app.pid is looked for there.
        var dir = Directory.CreateTempSubdirectory("cwd-").FullName;
        try
        {
            await using var app = ChildProcess.Start("sleep", ["300"]);
            await File.WriteAllTextAsync(Path.Combine(dir, "app.pid"), app.Pid.ToString(CultureInfo.InvariantCulture));

            var run = await RunIn(dir, "dotnet", ["run", "--no-build", "-c", Repo.Configuration, "--project", Path.Combine(Repo.Root, "src", "Agent"), "--", "check", "--output", "json", "--urls=http://127.0.0.1:0", "--Target:PidFile=app.pid"]);

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains($"\"pid\": {app.Pid}", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output)> RunIn(string dir, string file, string[] args) =>
        Tool.Run(file, args, workingDirectory: dir, deadline: TimeSpan.FromSeconds(90));
}
