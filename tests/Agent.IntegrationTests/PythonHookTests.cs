using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The Python hook on its own, against real CPython processes (Debian's /usr/bin/python3): both
/// ways of loading it, the socket's permissions and peer check, hostile requests, fork, and the
/// application's own signal handlers. The app's own answers on stdin/stdout are the oracle that
/// it keeps serving.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PythonHookTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("python-hook-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_agent_prints_the_shipped_hook_and_installs_it_with_its_sitecustomize()
    {
        var printed = await RunAgent(["python-hook"]);
        Assert.Equal(0, printed.Exit);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(PythonHookApp.Source, "sidecar_hook.py")), printed.Stdout);

        var target = Path.Combine(_dir, "installed");
        var installed = await RunAgent(["python-hook", "--install", target]);
        Assert.Equal(0, installed.Exit);
        foreach (var file in new[] { "sidecar_hook.py", "sitecustomize.py" })
        {
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(PythonHookApp.Source, file)), await File.ReadAllTextAsync(Path.Combine(target, file)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(target, file)));
        }

        // The installed directory loads the hook with no code change.
        await using var app = await PythonHookApp.Start("gc_on_cue.py", target);
        Assert.Contains("hook=True", app.Stdout, StringComparison.Ordinal);
        await PythonHookApp.WaitListening(app.Pid);

        Assert.Equal(2, (await RunAgent(["python-hook", "--install", "relative/dir"])).Exit);
    }

    [Fact]
    public async Task The_native_binary_embeds_the_same_hook_and_the_image_ships_it()
    {
        var binary = await NativeBuild.Binary();
        var psi = new ProcessStartInfo(binary, ["python-hook"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var printed = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(PythonHookApp.Source, "sidecar_hook.py")), printed);

        // The runtime image copies the same two files to the directory the fixes name.
        var copy = (await File.ReadAllLinesAsync(Path.Combine(Repo.Root, "Dockerfile"))).Single(l => l.StartsWith("COPY src/python-hook/", StringComparison.Ordinal));
        Assert.Equal("COPY src/python-hook/sidecar_hook.py src/python-hook/sitecustomize.py /app/python-hook/", copy);
    }

    [Fact]
    public async Task The_socket_is_owner_only_and_a_peer_of_another_uid_is_refused_even_when_the_mode_lets_it_in()
    {
        await using var app = await PythonHookApp.Start("gc_on_cue.py", PythonHookApp.Install(_dir));
        await PythonHookApp.WaitListening(app.Pid);
        var socket = PythonHookApp.SocketOf(app.Pid);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));

        // As nobody: the file's mode refuses the connection.
        var denied = await AsNobody(socket);
        Assert.Contains("PermissionError", denied, StringComparison.Ordinal);

        // With the mode opened by hand, the hook's own check (SO_PEERCRED) still refuses the peer.
        File.SetUnixFileMode(socket, (UnixFileMode)0b110_110_110);
        var refused = await AsNobody(socket);
        using var answer = JsonDocument.Parse(refused);
        Assert.False(answer.RootElement.GetProperty("ok").GetBoolean());
        Assert.Contains("uid 65534", answer.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("stats", refused, StringComparison.Ordinal);

        // The owner is still served, and so is the app.
        Assert.True((await PythonHookApp.Ask(app.Pid, """{"v":1,"request":"gc"}""")).GetProperty("ok").GetBoolean());
        Assert.StartsWith("{\"stats\"", await PythonHookApp.Command(app, "stats", "{\"stats\""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_an_oversized_request_slow_requests_and_a_flood_leave_the_app_and_the_hook_serving()
    {
        await using var app = await PythonHookApp.Start("gc_on_cue.py", PythonHookApp.Install(_dir));
        await PythonHookApp.WaitListening(app.Pid);
        var path = PythonHookApp.SocketOf(app.Pid);
        var marker = Path.Combine(_dir, "evaluated");

        // A request that never ends: the hook gives up on it after 2 s and says why.
        using var slow = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await slow.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await slow.SendAsync("{\"v\":1,"u8.ToArray(), SocketFlags.None);
        var slowAnswer = Task.Run(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            return await PythonHookApp.ReadToEnd(slow, cts.Token);
        });

        // Meanwhile: garbage, a 10 MB line, code to evaluate, a wrong version — each an error line.
        var garbage = await PythonHookApp.Send(path, [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 37)), (byte)'\n'], TimeSpan.FromSeconds(10));
        var huge = await PythonHookApp.Send(path, Encoding.ASCII.GetBytes(new string('x', 10 * 1024 * 1024)), TimeSpan.FromSeconds(20));
        var code = await PythonHookApp.Ask(app.Pid, $$"""{"v":1,"request":"__import__('os').system('touch {{marker}}')"}""");
        var version = await PythonHookApp.Ask(app.Pid, """{"v":99,"request":"gc"}""");
        var sw = Stopwatch.StartNew();
        var gc = await PythonHookApp.Ask(app.Pid, """{"v":1,"request":"gc"}""");
        var gcMs = sw.ElapsedMilliseconds;

        Assert.Contains("not a JSON object", garbage, StringComparison.Ordinal);
        Assert.Contains("longer than 4096 bytes", huge, StringComparison.Ordinal);
        Assert.Contains("unknown request", code.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        Assert.Contains("protocol version", version.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(gc.GetProperty("ok").GetBoolean(), gc.ToString());
        Assert.True(gcMs < 2000, $"a gc request waited {gcMs} ms behind the slow one");
        Assert.Contains("not complete within 2 s", await slowAnswer, StringComparison.Ordinal);

        // A flood of connections that never send: those over the hook's 4 handlers are told it is busy,
        // and once the slow ones time out the hook answers again.
        var flood = Enumerable.Range(0, 10).Select(_ => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)).ToList();
        try
        {
            foreach (var s in flood)
            {
                await s.ConnectAsync(new UnixDomainSocketEndPoint(path));
            }

            var answers = await Task.WhenAll(flood.Select(async s =>
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                return await PythonHookApp.ReadToEnd(s, cts.Token);
            }));
            Assert.Contains(answers, a => a.Contains("busy", StringComparison.Ordinal));
            Assert.Contains(answers, a => a.Contains("not complete within 2 s", StringComparison.Ordinal));
        }
        finally
        {
            flood.ForEach(s => s.Dispose());
        }

        Assert.True((await PythonHookApp.Ask(app.Pid, """{"v":1,"request":"gc"}""")).GetProperty("ok").GetBoolean());
        Assert.StartsWith("{\"stats\"", await PythonHookApp.Command(app, "collect 1", "{\"stats\""), StringComparison.Ordinal);
        Assert.False(app.HasExited);
        Assert.DoesNotContain("Traceback", app.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_apps_own_signal_handlers_stay_its_own_and_run()
    {
        await using var app = await PythonHookApp.Start("gc_on_cue.py", PythonHookApp.Install(_dir));
        await PythonHookApp.WaitListening(app.Pid);
        foreach (var request in new[] { "stacks", "types", "gc", "hello" })
        {
            Assert.True((await PythonHookApp.Ask(app.Pid, $$"""{"v":1,"request":"{{request}}"}""")).GetProperty("ok").GetBoolean(), request);
        }

        var window = await PythonHookApp.Ask(app.Pid, """{"v":1,"request":"allocations","seconds":1}""");
        Assert.True(window.GetProperty("ok").GetBoolean(), window.ToString());

        app.Signal(10); // SIGUSR1
        app.Signal(12); // SIGUSR2
        await Poll.Until(
            async () =>
            {
                using var s = JsonDocument.Parse(await PythonHookApp.Command(app, "signals", "{\"own\""));
                var ran = s.RootElement.GetProperty("ran");
                return ran.GetProperty("SIGUSR1").GetInt32() == 1 && ran.GetProperty("SIGUSR2").GetInt32() == 1;
            },
            TimeSpan.FromSeconds(10),
            "the app's own handlers ran once each");
        using var signals = JsonDocument.Parse(await PythonHookApp.Command(app, "signals", "{\"own\""));
        Assert.True(signals.RootElement.GetProperty("own").GetProperty("SIGUSR1").GetBoolean());
        Assert.True(signals.RootElement.GetProperty("own").GetProperty("SIGUSR2").GetBoolean());
        Assert.False(app.HasExited);
    }

    [Fact]
    public async Task The_sitecustomize_route_still_runs_a_sitecustomize_the_environment_already_has()
    {
        var theirs = Path.Combine(_dir, "theirs");
        Directory.CreateDirectory(theirs);
        await File.WriteAllTextAsync(Path.Combine(theirs, "sitecustomize.py"), "print('their sitecustomize ran', flush=True)\n");
        await using var app = await PythonHookApp.Start("gc_on_cue.py", PythonHookApp.Install(_dir) + ":" + theirs);
        Assert.Contains("their sitecustomize ran", app.Stdout, StringComparison.Ordinal);
        Assert.Contains("hook=True", app.Stdout, StringComparison.Ordinal);
        await PythonHookApp.WaitListening(app.Pid);
    }

    [Fact]
    public async Task After_fork_the_child_serves_its_own_socket_and_a_child_that_execs_at_once_makes_none()
    {
        const string Script = """
            import os, sys, time
            import sidecar_hook
            child = os.fork()
            if child == 0:
                time.sleep(60)
                os._exit(0)
            execed = os.fork()
            if execed == 0:
                os.execv("/bin/sleep", ["sleep", "60"])
            print(f"ready {os.getpid()} {child} {execed}", flush=True)
            sys.stdin.readline()
            """;
        await using var app = ChildProcess.Start("/usr/bin/python3", ["-c", Script], new Dictionary<string, string?> { ["PYTHONPATH"] = PythonHookApp.Install(_dir, siteCustomize: false) });
        await app.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        var pids = app.Stdout.Split('\n').Single(l => l.StartsWith("ready ", StringComparison.Ordinal)).Split(' ').Skip(1).Select(int.Parse).ToArray();
        var (parent, child, execed) = (pids[0], pids[1], pids[2]);
        try
        {
            await PythonHookApp.WaitListening(parent);
            await PythonHookApp.WaitListening(child);
            Assert.Equal(parent, (await PythonHookApp.Ask(parent, """{"v":1,"request":"hello"}""")).GetProperty("pid").GetInt32());
            Assert.Equal(child, (await PythonHookApp.Ask(child, """{"v":1,"request":"hello"}""")).GetProperty("pid").GetInt32());

            // The exec'ed child is sleep(1) now, with no socket of its own (the hook waits 0.2 s after a fork before listening).
            await Poll.Until(() => File.ReadAllText($"/proc/{execed}/comm").Trim() == "sleep", TimeSpan.FromSeconds(10), "the forked child exec'ed sleep");
            Assert.False(File.Exists(PythonHookApp.SocketOf(execed)));
        }
        finally
        {
            foreach (var pid in new[] { child, execed })
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // already gone
                }
            }
        }
    }

    /// <summary>A hello sent from a process running as nobody (uid 65534); what it printed.</summary>
    private static async Task<string> AsNobody(string socket)
    {
        const string Client = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as e:
                print(type(e).__name__, e.errno); sys.exit(0)
            s.sendall(b'{"v":1,"request":"gc"}\n')
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            print(data.decode())
            """;
        await using var p = ChildProcess.Start("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", Client, socket]);
        await p.WaitForExit(TimeSpan.FromSeconds(20));
        return p.Stdout.Trim() + p.Stderr;
    }

    private static async Task<(int Exit, string Stdout)> RunAgent(string[] args)
    {
        var command = await AgentCommand.For();
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        command.Skip(1).Concat(args).ToList().ForEach(psi.ArgumentList.Add);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        _ = await stderr;
        return (p.ExitCode, await stdout);
    }
}
