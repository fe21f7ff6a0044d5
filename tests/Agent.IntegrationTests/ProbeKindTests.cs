using System.Net;
using System.Text.Json;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The http and tcp probe kinds against real local peers: what the README promises about
/// methods, redirects, proxies, accepted statuses and Send/Expect.
/// </summary>
public sealed class ProbeKindTests
{
    private static Dictionary<string, string> Probe(string name, params (string Key, string Value)[] values)
    {
        // Generous deadlines: these tests are about classification, and a check that times out on
        // a loaded machine is simply retried a period later (the polls below wait for agreement).
        var d = new Dictionary<string, string> { [$"Probes:{name}:Period"] = "00:00:01", [$"Probes:{name}:Timeout"] = "00:00:00.900" };
        foreach (var (k, v) in values)
        {
            d[$"Probes:{name}:{k}"] = v;
        }

        return d;
    }

    private static async Task<JsonElement> Entries(AgentProcess agent)
    {
        using var r = await agent.Http.GetAsync("/ready");
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("entries").Clone();
    }

    private static bool Answered(JsonElement entries, IEnumerable<string> names) =>
        names.All(n => entries.TryGetProperty(n, out var e) && e.TryGetProperty("ageSeconds", out _));

    private static string? Reason(JsonElement entry) => entry.TryGetProperty("reason", out var r) ? r.GetString() : null;

    [Fact]
    public async Task Http_probe_gets_without_following_redirects_or_using_a_proxy_and_honours_status_lists_and_ranges()
    {
        await using var origin = new ScriptedHttpServer();
        // A proxy that would answer 200 to anything: if the probe used it, every probe would pass.
        await using var proxy = new FixedHttpServer("proxied");
        var url = $"http://127.0.0.1:{origin.Port}";
        var probes = new (string Name, string Path, string? Expected, string? Reason)[]
        {
            ("redirect", "/redirect", "200", "http_status"),            // followed, it would be a 200
            ("no_content", "/status/204", "204", null),
            ("teapot_in_list", "/status/418", "200-299,418", null),    // a range and a single code
            ("teapot_not_in_list", "/status/418", "200,204", "http_status"),
            ("server_error", "/status/500", null, "http_status"),        // default 200-399
            ("default_range_302", "/redirect", null, null),              // 302 is in 200-399
        };
        var settings = new Dictionary<string, string>();
        foreach (var p in probes)
        {
            var values = new List<(string, string)> { ("Kind", "http"), ("Url", url + p.Path), ("Critical", "false") };
            if (p.Expected is not null)
            {
                values.Add(("ExpectedStatus", p.Expected));
            }

            foreach (var kv in Probe(p.Name, [.. values]))
            {
                settings[kv.Key] = kv.Value;
            }
        }

        var proxyUrl = $"http://127.0.0.1:{proxy.Port}";
        await using var agent = await AgentProcess.Start(settings, env: new Dictionary<string, string?>
        {
            ["http_proxy"] = proxyUrl, ["HTTP_PROXY"] = proxyUrl, ["all_proxy"] = proxyUrl, ["ALL_PROXY"] = proxyUrl, ["no_proxy"] = null, ["NO_PROXY"] = null,
        });

        await Poll.Until(async () => Answered(await Entries(agent), probes.Select(p => p.Name)), TimeSpan.FromSeconds(15), "every probe answered");
        await Poll.Until(async () => origin.Requests.Count >= 2 * probes.Length, TimeSpan.FromSeconds(15), "two rounds of checks");
        var entries = await Entries(agent);
        var last = string.Empty;
        await Poll.Until(
            async () =>
            {
                entries = await Entries(agent);
                var wrong = probes.Where(p => p.Reason != Reason(entries.GetProperty(p.Name))).Select(p => $"{p.Name}: reason {Reason(entries.GetProperty(p.Name)) ?? "none"}, expected {p.Reason ?? "none"}").ToList();
                last = string.Join("; ", wrong);
                return wrong.Count == 0;
            },
            TimeSpan.FromSeconds(30),
            "every probe classified as expected");
        Assert.True(last.Length == 0, last);

        Assert.Equal("302", entries.GetProperty("redirect").GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("418", entries.GetProperty("teapot_in_list").GetProperty("data").GetProperty("status").GetString());
        Assert.All(origin.Requests, r => Assert.StartsWith("GET ", r, StringComparison.Ordinal));
        Assert.DoesNotContain(origin.Requests, r => r.StartsWith("GET /status/200 ", StringComparison.Ordinal)); // the Location was never followed
        Assert.Equal(0, proxy.Accepted);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/ready")).StatusCode); // all non-critical: 200 Degraded
    }

    [Fact]
    public async Task Tcp_probe_send_and_expect_pass_on_the_right_reply_and_fail_as_protocol_on_another()
    {
        await using var redis = await RedisServer.StartNew();
        await using var echo = new EchoServer();
        var settings = new[]
        {
            Probe("pong", ("Kind", "tcp"), ("Host", "127.0.0.1"), ("Port", redis.Port.ToString()), ("Send", "PING\\r\\n"), ("Expect", "+PONG")),
            Probe("pang", ("Kind", "tcp"), ("Host", "127.0.0.1"), ("Port", redis.Port.ToString()), ("Send", "PING\\r\\n"), ("Expect", "+PANG"), ("Critical", "false")),
            // The echo sends back exactly the bytes it got: \t, \r and \n were turned into real ones.
            Probe("tabs", ("Kind", "tcp"), ("Host", "127.0.0.1"), ("Port", echo.Port.ToString()), ("Send", "a\\tb\\r\\n"), ("Expect", "a\\tb\\r\\n")),
            Probe("literal", ("Kind", "tcp"), ("Host", "127.0.0.1"), ("Port", echo.Port.ToString()), ("Send", "a\\tb"), ("Expect", "a\tb"), ("Critical", "false")),
        }.SelectMany(d => d).ToDictionary(kv => kv.Key, kv => kv.Value);
        await using var agent = await AgentProcess.Start(settings);

        await Poll.Until(async () => Answered(await Entries(agent), ["pong", "pang", "tabs", "literal"]), TimeSpan.FromSeconds(15), "every probe answered");
        // The replies decide (a timeout on a loaded machine is retried a period later).
        await Poll.Until(
            async () =>
            {
                var entries = await Entries(agent);
                return Reason(entries.GetProperty("pong")) is null && Reason(entries.GetProperty("pang")) == "protocol"
                    && Reason(entries.GetProperty("tabs")) is null && Reason(entries.GetProperty("literal")) is null; // "\t" in config is the escape of a real tab
            },
            TimeSpan.FromSeconds(30),
            "pong, tabs and literal healthy; pang a protocol failure");
        var failures = (await agent.Metrics()).Named("agent_probe_failures_total").ToList();
        Assert.Contains(failures, s => s["probe"] == "pang" && s["reason"] == "protocol" && s.Value >= 1);
        // The right reply never counts as a protocol failure (a timeout on a loaded machine may).
        Assert.Equal(0, failures.Single(s => s["probe"] == "pong" && s["reason"] == "protocol").Value);
    }
}
