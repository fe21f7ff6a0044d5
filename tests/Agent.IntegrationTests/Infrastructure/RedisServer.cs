using System.Diagnostics;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>A real redis-server on a free loopback port, stoppable and restartable on that port.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("redis-").FullName;
    private ChildProcess? _process;

    public RedisServer(string? password = null)
    {
        Port = Net.FreePort();
        Password = password;
    }

    public int Port { get; }

    public string? Password { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}" + (Password is null ? string.Empty : $",password={Password}");

    public static async Task<RedisServer> StartNew(string? password = null)
    {
        var server = new RedisServer(password);
        await server.Start();
        return server;
    }

    public async Task Start()
    {
        var args = new List<string> { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", _dir, "--daemonize", "no" };
        if (Password is not null)
        {
            args.AddRange(["--requirepass", Password]);
        }

        _process = ChildProcess.Start("redis-server", args);
        await Poll.Until(async () => (await Cli("PING")).Trim() == "PONG", TimeSpan.FromSeconds(10), "redis-server up");
    }

    /// <summary>Stops the server and starts it again on the same port with another password (a rotation).</summary>
    public async Task Restart(string? password)
    {
        await Stop();
        Password = password;
        await Start();
    }

    public async Task Stop()
    {
        if (_process is not null)
        {
            _process.Kill();
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Clients connected with the agent's client name, as Redis itself counts them.</summary>
    public async Task<int> AgentClients()
    {
        var list = await Cli("CLIENT", "LIST");
        return list.Split('\n').Count(l => l.Contains("name=sidecar-agent", StringComparison.Ordinal));
    }

    public async Task<string> Cli(params string[] command)
    {
        var psi = new ProcessStartInfo("redis-cli", ["-h", "127.0.0.1", "-p", Port.ToString(), .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Password is not null)
        {
            psi.Environment["REDISCLI_AUTH"] = Password;
        }

        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        await Stop();
        Directory.Delete(_dir, recursive: true);
    }
}
