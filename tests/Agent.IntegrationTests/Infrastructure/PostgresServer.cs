using System.Diagnostics;
using Agent.Tests.Shared;

namespace Agent.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free loopback port. PostgreSQL refuses
/// to run as root, so every server command runs as the <c>postgres</c> user via runuser.
/// Password authentication (scram-sha-256) over TCP, so a wrong password really fails.
/// With a certificate it serves TLS too (<c>ssl=on</c>; plaintext stays allowed, pg_hba's
/// <c>host</c> lines take both), the files copied into the cluster's directory and owned by
/// <c>postgres</c>, the key mode 0600 as the server demands.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;

    private readonly bool _tls;

    private PostgresServer(string dir, string bin, int port, string password, bool tls)
    {
        _dir = dir;
        _bin = bin;
        Port = port;
        Password = password;
        _tls = tls;
    }

    public int Port { get; }

    public string Password { get; }

    public string ConnectionString(string? password = null) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={password ?? Password};Database=postgres";

    /// <param name="tls">PEM certificate and key files (e.g. <see cref="TestCertificates.WritePem"/>); null: no TLS.</param>
    public static async Task<PostgresServer> StartNew((string Certificate, string Key)? tls = null)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => Path.Combine(d, "bin")).First(d => File.Exists(Path.Combine(d, "initdb")));
        var dir = Path.Combine("/tmp", "pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var password = "pw-" + Guid.NewGuid().ToString("N")[..16];
        var pwfile = Path.Combine(dir, "pwfile");
        await File.WriteAllTextAsync(pwfile, password + "\n");
        if (tls is { } pem)
        {
            File.Copy(pem.Certificate, Path.Combine(dir, "server.crt"));
            File.Copy(pem.Key, Path.Combine(dir, "server.key"));
        }

        await Run("chown", "-R", "postgres:postgres", dir);
        if (tls is not null)
        {
            await Run("chmod", "0600", Path.Combine(dir, "server.key"));
        }

        await RunAsPostgres(Path.Combine(bin, "initdb"), "-D", Path.Combine(dir, "data"), "-U", "postgres", "--pwfile", pwfile, "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync");
        var server = new PostgresServer(dir, bin, Net.FreePort(), password, tls is not null);
        await server.Start();
        return server;
    }

    public async Task Start()
    {
        var ssl = _tls ? $" -c ssl=on -c ssl_cert_file={_dir}/server.crt -c ssl_key_file={_dir}/server.key" : string.Empty;
        await RunAsPostgres(
            Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "log"), "-w", "-t", "30",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off{ssl}", "start");
    }

    public Task Stop() => RunAsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop");

    /// <summary>The agent's sessions as PostgreSQL itself counts them (pg_stat_activity).</summary>
    public async Task<int> AgentConnections()
    {
        var output = await Psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sidecar-agent'");
        return int.Parse(output.Trim());
    }

    public async Task<string> Psql(string sql)
    {
        var psi = new ProcessStartInfo("psql", ["-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", "-d", "postgres", "-tA", "-c", sql])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["PGPASSWORD"] = Password;
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException("psql: " + error);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Stop();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static Task RunAsPostgres(string file, params string[] args) => Run("runuser", ["-u", "postgres", "--", file, .. args]);

    private static async Task Run(string file, params string[] args)
    {
        var (code, output) = await Tool.Run(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {output}");
        }
    }
}
