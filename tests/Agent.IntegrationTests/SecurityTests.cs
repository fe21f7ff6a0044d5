using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;
using Agent.Tests.Shared;

namespace Agent.IntegrationTests;

public sealed class SecurityTests
{
    private const string Token = "t0ken-for-tests-0123456789";

    [Fact]
    public async Task A_bearer_token_protects_metrics_and_ready_details_but_not_health_or_the_ready_status()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, Token + "\n");
        try
        {
            await using var agent = await AgentProcess.Start(new Dictionary<string, string> { ["Security:MetricsTokenFile"] = file, ["Sampling:Interval"] = "00:00:00.200" });
            using var authorized = new HttpClient { BaseAddress = agent.Http.BaseAddress };
            authorized.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var wrong = new HttpClient { BaseAddress = agent.Http.BaseAddress };
            wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token[..^1] + "X");

            using var anonymousMetrics = await agent.Http.GetAsync("/metrics");
            using var wrongMetrics = await wrong.GetAsync("/metrics");
            using var goodMetrics = await authorized.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymousMetrics.StatusCode);
            Assert.Equal("Bearer realm=\"metrics\"", anonymousMetrics.Headers.WwwAuthenticate.ToString());
            Assert.Equal(HttpStatusCode.Unauthorized, wrongMetrics.StatusCode);
            Assert.Equal(HttpStatusCode.OK, goodMetrics.StatusCode);
            Assert.Contains("target_up", await goodMetrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/health")).StatusCode);
            await Poll.Until(async () => (await agent.Http.GetAsync("/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "ready");
            var open = JsonDocument.Parse(await agent.Http.GetStringAsync("/ready")).RootElement;
            var detailed = JsonDocument.Parse(await authorized.GetStringAsync("/ready")).RootElement;
            Assert.Equal("Healthy", open.GetProperty("status").GetString());
            Assert.Empty(open.GetProperty("entries").EnumerateObject());
            Assert.True(detailed.GetProperty("entries").TryGetProperty("target:app", out _));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task As_an_unprivileged_user_io_and_fd_are_omitted_with_one_warning_and_the_rest_works()
    {
        // The target belongs to root (this test process's child); the agent runs as nobody.
        await using var target = ChildProcess.Start("/bin/sleep", ["300"]);
        var port = Net.FreePort();
        var agentCommand = await AgentCommand.For();
        await using var agent = ChildProcess.Start("runuser", ["-u", "nobody", "--", .. agentCommand, "--urls", $"http://127.0.0.1:{port}",
            $"--Target:Pid={target.Pid}", "--Sampling:Interval=00:00:00.200"], new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = "/tmp", ["HOME"] = "/tmp" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var text = await Poll.Until(async () => (await http.GetStringAsync("/metrics")) is var t && t.Contains("target_process_threads", StringComparison.Ordinal) ? t : null, TimeSpan.FromSeconds(30), "metrics as nobody");
        var m = Exposition.Parse(text);
        await Poll.Until(() => agent.Stderr.Contains("CAP_SYS_PTRACE", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "warning");

        Assert.Equal(1, m.Value("target_up"));
        Assert.Equal(1, m.Value("target_process_threads"));
        Assert.NotNull(m.Value("target_process_resident_memory_bytes"));
        Assert.NotNull(m.Value("target_process_cpu_seconds_total", "mode", "user"));
        Assert.Null(m.Value("target_process_io_read_bytes_total"));   // omitted, not 0
        Assert.Null(m.Value("target_process_io_write_bytes_total"));
        // Linux >= 6.2 reports the fd count as the size of /proc/<pid>/fd to anyone who may stat
        // it; older kernels deny it. Which one this kernel does is asked of the kernel itself, as
        // nobody, with stat(1): the agent must give that count or, where nobody cannot, nothing.
        var (statCode, statOut) = await Tool.Run("runuser", ["-u", "nobody", "--", "stat", "-L", "-c", "%s", $"/proc/{target.Pid}/fd"]);
        var fds = m.Value("target_process_open_fds");
        if (statCode == 0 && long.Parse(statOut.Trim()) > 0)
        {
            Assert.Equal((double)Directory.GetFileSystemEntries($"/proc/{target.Pid}/fd").Length, fds);
        }
        else
        {
            Assert.Null(fds);
        }

        // One warning per omitted family, once, not every tick: the loop runs on (200 ms ticks,
        // history points per second) and the count stays.
        await HistoryPoints.WaitForMore(http, 3, "the first warning");
        var warnings = agent.Stderr.Split('\n').Where(l => l.Contains("CAP_SYS_PTRACE", StringComparison.Ordinal)).ToList();
        Assert.Equal(fds is null ? 2 : 1, warnings.Count);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task No_secret_appears_in_any_body_log_or_label_of_a_full_run()
    {
        var dir = Directory.CreateTempSubdirectory("secrets-").FullName;
        try
        {
            await NoSecretAppears(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task NoSecretAppears(string dir)
    {
        await using var redis = await RedisServer.StartNew(password: "redis-Secret-4711");
        Assert.Equal("OK", (await redis.Cli("ACL", "SETUSER", "prober", "on", ">acl-Secret-2718", "~*", "+@all")).Trim());
        using var ca = new TestCertificates();
        var caFile = ca.WriteCaPem(dir);
        using var cert = ca.Server(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await using var pg = await PostgresServer.StartNew(TestCertificates.WritePem(cert, dir, "pg")); // plaintext and TLS
        await using var tls = new TlsHttpServer(cert);
        var grpcPort = Net.FreePort();
        await using var grpc = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "grpc_health.py"), grpcPort.ToString(), "=SERVING"]);
        await grpc.WaitForOutput("ready", TimeSpan.FromSeconds(15));
        var otlpPort = Net.FreePort();
        // URL userinfo is the only place an http or grpc probe takes credentials from.
        const string WebUserinfo = "web-user:https-Userinfo-Secret-6";
        const string GrpcUserinfo = "grpc-user:grpc-Userinfo-Secret-5";
        string[] secrets = ["redis-Secret-4711", pg.Password, "otlp-Header-Secret-99", Token, "Wrong-Pg-Secret-31", "acl-Secret-2718", "Wrong-Acl-Secret-1414", "https-Userinfo-Secret-6", "grpc-Userinfo-Secret-5"];
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Sampling:Interval"] = "00:00:00.200",
            ["Security:MetricsToken"] = Token,
            ["Otlp:Endpoint"] = $"http://127.0.0.1:{otlpPort}",
            ["Otlp:ExportInterval"] = "00:00:00.300",
            ["Otlp:Headers"] = "authorization=otlp-Header-Secret-99",
            ["Probes:cache:Kind"] = "redis",
            ["Probes:cache:ConnectionString"] = redis.ConnectionString,
            ["Probes:cache:Period"] = "00:00:00.500",
            ["Probes:wrongcache:Kind"] = "redis",
            ["Probes:wrongcache:ConnectionString"] = $"127.0.0.1:{redis.Port},password=Wrong-Pg-Secret-31",
            ["Probes:wrongcache:Period"] = "00:00:00.500",
            ["Probes:aclcache:Kind"] = "redis",
            ["Probes:aclcache:ConnectionString"] = $"127.0.0.1:{redis.Port},user=prober,password=acl-Secret-2718",
            ["Probes:aclcache:Period"] = "00:00:00.500",
            ["Probes:wrongacl:Kind"] = "redis",
            ["Probes:wrongacl:ConnectionString"] = $"127.0.0.1:{redis.Port},user=prober,password=Wrong-Acl-Secret-1414",
            ["Probes:wrongacl:Period"] = "00:00:00.500",
            ["Probes:db:Kind"] = "postgres",
            ["Probes:db:ConnectionString"] = pg.ConnectionString(),
            ["Probes:db:Period"] = "00:00:00.500",
            ["Probes:wrongdb:Kind"] = "postgres",
            ["Probes:wrongdb:ConnectionString"] = pg.ConnectionString("Wrong-Pg-Secret-31"),
            ["Probes:wrongdb:Period"] = "00:00:00.500",
            ["Probes:downdb:Kind"] = "postgres",
            ["Probes:downdb:ConnectionString"] = $"Host=127.0.0.1;Port={Net.FreePort()};Username=postgres;Password={pg.Password}",
            ["Probes:downdb:Period"] = "00:00:00.500",
            ["Probes:tlsdb:Kind"] = "postgres",
            ["Probes:tlsdb:ConnectionString"] = pg.ConnectionString() + ";SSL Mode=VerifyFull",
            ["Probes:tlsdb:CaFile"] = caFile,
            ["Probes:tlsdb:Period"] = "00:00:00.500",
            ["Probes:untrusteddb:Kind"] = "postgres",
            ["Probes:untrusteddb:ConnectionString"] = pg.ConnectionString() + ";SSL Mode=VerifyFull", // CA not given: tls
            ["Probes:untrusteddb:Period"] = "00:00:00.500",
            ["Probes:web:Kind"] = "http",
            ["Probes:web:Url"] = $"https://{WebUserinfo}@127.0.0.1:{tls.Port}/",
            ["Probes:web:CaFile"] = caFile,
            ["Probes:web:Period"] = "00:00:00.500",
            ["Probes:untrustedweb:Kind"] = "http",
            ["Probes:untrustedweb:Url"] = $"https://{WebUserinfo}@127.0.0.1:{tls.Port}/", // CA not given: tls
            ["Probes:untrustedweb:Period"] = "00:00:00.500",
            ["Probes:health:Kind"] = "grpc",
            ["Probes:health:Address"] = $"http://{GrpcUserinfo}@127.0.0.1:{grpcPort}",
            ["Probes:health:Period"] = "00:00:00.500",
            ["Probes:downhealth:Kind"] = "grpc",
            ["Probes:downhealth:Address"] = $"https://{GrpcUserinfo}@127.0.0.1:{Net.FreePort()}",
            ["Probes:downhealth:Period"] = "00:00:00.500",
        });
        using var authorized = new HttpClient { BaseAddress = agent.Http.BaseAddress };
        authorized.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        async Task<string> Body(string path) => await (await authorized.GetAsync(path)).Content.ReadAsStringAsync(); // 503 bodies too
        JsonElement Entries(string json) => JsonDocument.Parse(json).RootElement.GetProperty("entries");
        string? Reason(JsonElement entries, string probe) => entries.GetProperty(probe).TryGetProperty("reason", out var r) ? r.GetString() : null;
        // Each probe with credentials really ran its path: the right ones healthy, the failing ones
        // failed for the reason their fault gives (so their descriptions and log lines exist).
        var states = string.Empty;
        await Poll.Until(
            async () =>
            {
                var e = Entries(await Body("/ready"));
                states = string.Join(", ", e.EnumerateObject().Select(p => $"{p.Name}={Reason(e, p.Name) ?? "ok"}"));
                return Reason(e, "aclcache") is null && Reason(e, "wrongacl") == "auth" && Reason(e, "web") is null && Reason(e, "untrustedweb") == "tls"
                    && Reason(e, "health") is null && Reason(e, "downhealth") == "refused" && Reason(e, "downdb") is not null
                    && Reason(e, "tlsdb") is null && Reason(e, "untrusteddb") == "tls";
            },
            TimeSpan.FromSeconds(30),
            "every credentialed probe at its expected state");
        // The wrong passwords were really tried and refused as such: the auth counters of exactly
        // those probes rise from the 0 every series starts at (polled: on a loaded machine an
        // attempt may time out first and is retried a period later).
        double Failures(List<Series> counters, string probe, string reason) => counters.Where(f => f["probe"] == probe && f["reason"] == reason).Sum(f => f.Value);
        var seen = string.Empty;
        await Poll.Until(
            async () =>
            {
                var counters = Exposition.Parse(await Body("/metrics")).Named("agent_probe_failures_total").ToList();
                seen = string.Join(", ", counters.Where(f => f.Value > 0).Select(f => $"{f["probe"]}/{f["reason"]}={f.Value}"));
                return Failures(counters, "wrongdb", "auth") >= 1 && Failures(counters, "wrongcache", "auth") >= 1;
            },
            TimeSpan.FromSeconds(30),
            "auth failures of the wrong passwords");
        var atAuth = Exposition.Parse(await Body("/metrics")).Named("agent_probe_failures_total").ToList();
        Assert.True(Failures(atAuth, "db", "auth") == 0 && Failures(atAuth, "cache", "auth") == 0 && Failures(atAuth, "aclcache", "auth") == 0 && Failures(atAuth, "tlsdb", "auth") == 0 && Failures(atAuth, "untrusteddb", "auth") == 0, $"the right passwords were never auth failures; non-zero: {seen}; states: {states}");
        await redis.Stop(); // errors after a disconnect are logged too
        await Poll.Until(async () => Entries(await Body("/ready")).GetProperty("cache").TryGetProperty("reason", out _), TimeSpan.FromSeconds(10), "redis failure recorded");

        var everything = string.Join("\n",
            await Body("/"),
            await Body("/api/status"),
            await Body("/metrics"),
            await Body("/ready"),
            await Body("/health"),
            agent.Process.Stdout,
            agent.Process.Stderr);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }
}
