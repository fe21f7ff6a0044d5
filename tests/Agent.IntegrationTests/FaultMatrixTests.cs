using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;
using Agent.Tests.Shared;
using Xunit.Abstractions;

namespace Agent.IntegrationTests;

/// <summary>
/// The fault matrix of docs/reliability.md, measured: one agent probes real servers (redis-server,
/// PostgreSQL, TLS and plain HTTP servers, a grpcio health server, plain TCP peers), each put in
/// one fault, and reads the reason /ready names for each. The block between the markers in the
/// document is this test's output: the test fails when the measured matrix differs from it and
/// prints the measured block to paste.
/// </summary>
public sealed class FaultMatrixTests(ITestOutputHelper output)
{
    private const string Begin = "<!-- fault-matrix:begin (measured by FaultMatrixTests; paste its output here) -->";
    private const string End = "<!-- fault-matrix:end -->";
    private const string RedisSecret = "matrix-Redis-Secret-1";
    private const string AclSecret = "matrix-Acl-Secret-2";
    private const string WrongSecret = "Wrong-Matrix-Secret-3";

    // Generous on purpose: the suite runs beside other builds and stress-ng on 2 cores, and a
    // timeout that fires on a healthy server would put a wrong reason into the matrix.
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(1500);

    /// <summary>One probe in one fault. <paramref name="Killed"/>: healthy first, then its server is killed.</summary>
    private sealed record Case(string Name, string Kind, string Fault, Dictionary<string, string> Keys, bool Killed = false);

    [Fact]
    public async Task Every_kind_names_every_fault_as_the_reliability_document_says()
    {
        var dir = Directory.CreateTempSubdirectory("matrix-").FullName;
        try
        {
            await using var redis = await RedisServer.StartNew(password: RedisSecret);
            Assert.Equal("OK", (await redis.Cli("ACL", "SETUSER", "prober", "on", ">" + AclSecret, "~*", "+@all")).Trim());
            await using var victimRedis = await RedisServer.StartNew();
            await using var pg = await PostgresServer.StartNew();
            await using var hole = new Blackhole();
            await using var http = new ScriptedHttpServer();
            await using var pong = new PongServer();
            await using var echo = new EchoServer();
            using var ca = new TestCertificates();
            var caFile = ca.WriteCaPem(dir);
            var now = DateTimeOffset.UtcNow;
            using var expiredCert = ca.Server(now.AddDays(-30), now.AddDays(-1));
            using var validCert = ca.Server(now.AddDays(-1), now.AddDays(30));
            await using var pgTls = await PostgresServer.StartNew(TestCertificates.WritePem(validCert, dir, "pg"));
            await using var expired = new TlsHttpServer(expiredCert);
            await using var valid = new TlsHttpServer(validCert);
            var grpcPort = Net.FreePort();
            await using var grpc = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "grpc_health.py"), grpcPort.ToString(), "=SERVING", "batch=NOT_SERVING"]);
            var victimGrpcPort = Net.FreePort();
            await using var victimGrpc = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "grpc_health.py"), victimGrpcPort.ToString(), "=SERVING"]);
            await grpc.WaitForOutput("ready", TimeSpan.FromSeconds(15));
            await victimGrpc.WaitForOutput("ready", TimeSpan.FromSeconds(15));
            var closed = Net.FreePort();
            var holePg = $"Host=127.0.0.1;Port={hole.Port};Username=postgres;Password={WrongSecret}";

            Case[] cases =
            [
                new("redis_ok", "redis", "healthy (right password)", new() { ["ConnectionString"] = redis.ConnectionString }),
                new("redis_auth", "redis", "wrong password (`requirepass`)", new() { ["ConnectionString"] = $"127.0.0.1:{redis.Port},password={WrongSecret}" }),
                new("redis_acl", "redis", "ACL user, wrong password", new() { ["ConnectionString"] = $"127.0.0.1:{redis.Port},user=prober,password={WrongSecret}" }),
                new("redis_acl_ok", "redis", "ACL user, right password", new() { ["ConnectionString"] = $"127.0.0.1:{redis.Port},user=prober,password={AclSecret}" }),
                new("redis_hang", "redis", "accepts, never answers (blackhole)", new() { ["ConnectionString"] = $"127.0.0.1:{hole.Port}" }),
                new("redis_refused", "redis", "nothing listening", new() { ["ConnectionString"] = $"127.0.0.1:{closed}" }),
                new("redis_killed", "redis", "connected, then the server is killed", new() { ["ConnectionString"] = victimRedis.ConnectionString }, Killed: true),
                new("pg_ok", "postgres", "healthy (right password)", new() { ["ConnectionString"] = pg.ConnectionString() }),
                new("pg_auth", "postgres", "wrong password", new() { ["ConnectionString"] = pg.ConnectionString(WrongSecret) }),
                new("pg_nodb", "postgres", "unknown database", new() { ["ConnectionString"] = pg.ConnectionString() + "-no-such-db" }),
                new("pg_hang", "postgres", "accepts, never answers (blackhole)", new() { ["ConnectionString"] = holePg }),
                new("pg_refused", "postgres", "nothing listening", new() { ["ConnectionString"] = $"Host=127.0.0.1;Port={closed};Username=postgres;Password={WrongSecret}" }),
                new("pg_tls_cafile", "postgres", "TLS `VerifyFull`, certificate of a private CA given as `CaFile`", new() { ["ConnectionString"] = pgTls.ConnectionString() + ";SSL Mode=VerifyFull", ["CaFile"] = caFile }),
                new("pg_tls_unknown_ca", "postgres", "TLS `VerifyFull`, certificate of an unknown CA", new() { ["ConnectionString"] = pgTls.ConnectionString() + ";SSL Mode=VerifyFull" }),
                new("pg_tls_off", "postgres", "`SSL Mode=Require`, server without TLS", new() { ["ConnectionString"] = pg.ConnectionString() + ";SSL Mode=Require" }),
                new("http_ok", "http", "healthy (200)", new() { ["Url"] = $"http://127.0.0.1:{http.Port}/status/200" }),
                new("http_500", "http", "answers 500", new() { ["Url"] = $"http://127.0.0.1:{http.Port}/status/500" }),
                new("https_cafile", "http", "https, certificate of a private CA given as `CaFile`", new() { ["Url"] = $"https://127.0.0.1:{valid.Port}/", ["CaFile"] = caFile }),
                new("https_expired", "http", "https, expired certificate (CA given)", new() { ["Url"] = $"https://127.0.0.1:{expired.Port}/", ["CaFile"] = caFile }),
                new("https_unknown_ca", "http", "https, certificate of an unknown CA", new() { ["Url"] = $"https://127.0.0.1:{valid.Port}/" }),
                new("http_hang", "http", "accepts, never answers (blackhole)", new() { ["Url"] = $"http://127.0.0.1:{hole.Port}/" }),
                new("http_refused", "http", "nothing listening", new() { ["Url"] = $"http://127.0.0.1:{closed}/" }),
                new("http_dns", "http", "unknown host (`.invalid`)", new() { ["Url"] = "http://no-such-host.invalid/" }),
                new("grpc_ok", "grpc", "health `SERVING`", new() { ["Address"] = $"http://127.0.0.1:{grpcPort}" }),
                new("grpc_down", "grpc", "health `NOT_SERVING`", new() { ["Address"] = $"http://127.0.0.1:{grpcPort}", ["Service"] = "batch" }),
                new("grpc_unknown", "grpc", "service unknown to the server (`NOT_FOUND`)", new() { ["Address"] = $"http://127.0.0.1:{grpcPort}", ["Service"] = "no-such-service" }),
                new("grpc_hang", "grpc", "accepts, never answers (blackhole)", new() { ["Address"] = $"http://127.0.0.1:{hole.Port}" }),
                new("grpc_refused", "grpc", "nothing listening", new() { ["Address"] = $"http://127.0.0.1:{closed}" }),
                new("grpc_killed", "grpc", "serving, then the server is killed", new() { ["Address"] = $"http://127.0.0.1:{victimGrpcPort}" }, Killed: true),
                new("tcp_ok", "tcp", "`Send`/`Expect` answered (`PING` → `+PONG`)", new() { ["Host"] = "127.0.0.1", ["Port"] = pong.Port.ToString(), ["Send"] = "PING\r\n", ["Expect"] = "+PONG" }),
                new("tcp_mismatch", "tcp", "`Send`/`Expect` mismatch (an echo server)", new() { ["Host"] = "127.0.0.1", ["Port"] = echo.Port.ToString(), ["Send"] = "PING\r\n", ["Expect"] = "+PONG" }),
                new("tcp_hang", "tcp", "accepts, never answers, `Expect` set", new() { ["Host"] = "127.0.0.1", ["Port"] = hole.Port.ToString(), ["Send"] = "PING\r\n", ["Expect"] = "+PONG" }),
                new("tcp_refused", "tcp", "nothing listening", new() { ["Host"] = "127.0.0.1", ["Port"] = closed.ToString() }),
            ];

            var settings = new Dictionary<string, string>();
            foreach (var c in cases)
            {
                settings[$"Probes:{c.Name}:Kind"] = c.Kind;
                settings[$"Probes:{c.Name}:Period"] = Period.ToString("c");
                settings[$"Probes:{c.Name}:Timeout"] = Timeout.ToString("c");
                settings[$"Probes:{c.Name}:Critical"] = "false";
                foreach (var (k, v) in c.Keys)
                {
                    settings[$"Probes:{c.Name}:{k}"] = v;
                }
            }

            var documented = await Documented();
            await using var agent = await AgentProcess.Start(settings);

            // Each check of a fault settles within Period + Timeout; the bound allows many of them
            // (the first checks also wait for the JIT build of each client's connect path).
            var settle = 10 * (Period + Timeout);
            var victims = cases.Where(c => c.Killed).Select(c => c.Name).ToList();
            await Poll.Until(async () => (await Reasons(agent)) is var r && victims.All(v => r.TryGetValue(v, out var x) && x is null), settle, "the servers to be killed are healthy first");
            await victimRedis.Stop();
            victimGrpc.Kill();

            var measured = string.Empty;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < settle)
            {
                measured = Table(cases, await Reasons(agent));
                if (measured == documented)
                {
                    break;
                }

                await Task.Delay(Period / 4);
            }

            output.WriteLine(Begin + "\n" + measured + End);
            Assert.True(documented == measured, $"the measured fault matrix differs from docs/reliability.md; measured (paste between the markers):\n{Begin}\n{measured}{End}\ndocumented:\n{documented}");

            // README's reason table lists exactly the reasons the agent counts (every probe's
            // failure counter starts with one series per reason) plus the two /ready adds itself.
            var counted = (await agent.Metrics()).Named("agent_probe_failures_total").Where(s => s["probe"] == "tcp_refused").Select(s => s["reason"]);
            Assert.Equal(counted.Append("stale").Append("absent").Order(), await ReadmeReasons());

            // No password of the matrix shows anywhere the agent writes.
            var everything = (await agent.Ready()).Raw + await agent.MetricsText() + agent.Process.Stdout + agent.Process.Stderr;
            foreach (var secret in new[] { RedisSecret, AclSecret, WrongSecret, pg.Password })
            {
                Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Every probe's reason in one /ready body; null while healthy.</summary>
    private static async Task<Dictionary<string, string?>> Reasons(AgentProcess agent)
    {
        var entries = (await agent.Ready()).Body.GetProperty("entries");
        return entries.EnumerateObject().ToDictionary(
            e => e.Name,
            e => e.Value.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null);
    }

    private static string Table(IEnumerable<Case> cases, Dictionary<string, string?> reasons)
    {
        var table = new StringBuilder();
        table.Append("| probe kind | fault | `/ready` reason |\n|---|---|---|\n");
        foreach (var c in cases)
        {
            var shown = !reasons.TryGetValue(c.Name, out var reason) ? "(no entry)" : reason is null ? "healthy" : $"`{reason}`";
            table.Append($"| {c.Kind} | {c.Fault} | {shown} |\n");
        }

        return table.ToString();
    }

    /// <summary>The first column of README's "Failure reasons" table, sorted.</summary>
    private static async Task<List<string>> ReadmeReasons()
    {
        var lines = (await File.ReadAllLinesAsync(Path.Combine(Repo.Root, "README.md"))).SkipWhile(l => l != "#### Failure reasons").Skip(1);
        return [.. lines.SkipWhile(l => !l.StartsWith("| reason |", StringComparison.Ordinal)).Skip(2).TakeWhile(l => l.StartsWith('|')).Select(l => l.Split('|')[1].Trim().Trim('`')).Order()];
    }

    /// <summary>The block between the markers of docs/reliability.md, with "\n" line ends.</summary>
    private static async Task<string> Documented()
    {
        var doc = (await File.ReadAllTextAsync(Path.Combine(Repo.Root, "docs", "reliability.md"))).ReplaceLineEndings("\n");
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var stop = doc.IndexOf(End, StringComparison.Ordinal);
        return start >= 0 && stop > start ? doc[(start + Begin.Length)..stop].TrimStart('\n') : "(docs/reliability.md has no fault matrix markers)";
    }
}
