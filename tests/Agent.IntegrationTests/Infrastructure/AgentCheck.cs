using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>One run of <c>agent check</c> (or any short-lived agent command) as a real process.</summary>
internal sealed record AgentCheck(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, int ConnectionsAccepted)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    /// <summary>
    /// Runs the agent with <paramref name="args"/> on a free port (passed as <c>--urls</c> unless
    /// <paramref name="urls"/> is given) and, while it runs, keeps trying to connect to that port:
    /// <see cref="ConnectionsAccepted"/> counts how often that worked (a command that never listens: 0).
    /// </summary>
    /// <param name="jitBecause">Null: the published native binary; otherwise why this test needs the JIT build.</param>
    /// <param name="env">Variables beside the run's own (the rendered environment of a chart's Pod).</param>
    public static async Task<AgentCheck> Run(IEnumerable<string> args, string? asUser = null, string? urls = null, TimeSpan? wait = null, string? jitBecause = null, IDictionary<string, string?>? env = null)
    {
        var port = Net.FreePort();
        var list = args.ToList();
        if (!list.Any(a => a.StartsWith("--urls", StringComparison.Ordinal)))
        {
            list.Add($"--urls={urls ?? $"http://127.0.0.1:{port}"}");
        }

        var command = await AgentCommand.For(jitBecause);
        var (file, argv) = (command[0], command.Skip(1).ToList());
        argv.AddRange(list);
        if (asUser is not null)
        {
            argv.Insert(0, file);
            argv.InsertRange(0, ["-u", asUser, "--"]);
            file = "runuser";
        }

        var environment = new Dictionary<string, string?>(env ?? new Dictionary<string, string?>()) { ["DOTNET_gcServer"] = "0" };
        var clock = Stopwatch.StartNew();
        await using var p = ChildProcess.Start(file, argv, environment);
        var accepted = 0;
        var exited = p.WaitForExit(wait ?? TimeSpan.FromSeconds(60));
        while (!exited.IsCompleted)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", port);
                accepted++;
            }
            catch (SocketException)
            {
            }

            await Task.WhenAny(exited, Task.Delay(20));
        }

        var code = await exited;
        var elapsed = clock.Elapsed;
        // Output events may trail the exit by a moment.
        await Poll.Until(() => Task.FromResult(p.Stdout.Length > 0 || p.Stderr.Length > 0), TimeSpan.FromSeconds(5), "output");
        return new AgentCheck(code, p.Stdout, p.Stderr, elapsed, accepted);
    }
}
