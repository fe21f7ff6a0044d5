using System.Net;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// Probes:&lt;name&gt;:FailureThreshold against a real listener that fails exactly the checks the
/// test chooses: one failure under a threshold of 3 leaves /ready at 200 while the raw result is
/// still counted; with every check failing /ready stays 200 through the first two failures (the
/// raw agent_probe_success already 0) and flips on the third.
/// </summary>
public sealed class ThresholdTests
{
    [Fact]
    public async Task With_failure_threshold_3_one_failure_does_not_flip_ready_and_three_in_a_row_do()
    {
        await using var server = new PongServer();
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Probes:dep:Kind"] = "tcp",
            ["Probes:dep:Host"] = "127.0.0.1",
            ["Probes:dep:Port"] = server.Port.ToString(),
            ["Probes:dep:Send"] = "PING\\r\\n",
            ["Probes:dep:Expect"] = "+PONG",
            ["Probes:dep:Period"] = "00:00:01",
            ["Probes:dep:Timeout"] = "00:00:00.500",
            ["Probes:dep:FailureThreshold"] = "3",
        });
        await Poll.Until(async () => (await agent.Ready()).Code == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "ready 200");

        // One failed check (a period long): /ready shows the streak and stays 200.
        server.FailNext(1);
        var codes = new List<HttpStatusCode>();
        var streaks = new List<int>();
        await Poll.Until(
            async () =>
            {
                var (code, body, _) = await agent.Ready();
                codes.Add(code);
                streaks.Add(body.GetProperty("entries").GetProperty("dep").GetProperty("consecutiveFailures").GetInt32());
                return streaks.Contains(1) && streaks[^1] == 0;
            },
            TimeSpan.FromSeconds(15),
            "one failure seen in /ready, then a success",
            TimeSpan.FromMilliseconds(20));
        Assert.All(codes, c => Assert.Equal(HttpStatusCode.OK, c));
        Assert.Equal(1, (await agent.Metrics()).Named("agent_probe_failures_total").Single(s => s["probe"] == "dep" && s["reason"] == "protocol").Value);

        // Every check fails now: 200 with 1 and 2 failures (the raw metric already 0), 503 from the third on.
        server.FailAll(true);
        var seen = new List<(HttpStatusCode Code, int Streak, string? Reason, double? RawSuccess)>();
        await Poll.Until(
            async () =>
            {
                var (code, body, _) = await agent.Ready();
                var entry = body.GetProperty("entries").GetProperty("dep");
                var raw = code == HttpStatusCode.OK ? (await agent.Metrics()).Value("agent_probe_success", "probe", "dep") : null;
                seen.Add((code, entry.GetProperty("consecutiveFailures").GetInt32(), entry.TryGetProperty("reason", out var r) ? r.GetString() : null, raw));
                return code == HttpStatusCode.ServiceUnavailable;
            },
            TimeSpan.FromSeconds(15),
            "ready 503 after three failures",
            TimeSpan.FromMilliseconds(20));
        Assert.All(seen.Where(s => s.Streak is 1 or 2), s => Assert.Equal(HttpStatusCode.OK, s.Code));
        Assert.Contains(seen, s => s.Streak == 2);
        Assert.Contains(seen, s => s.Code == HttpStatusCode.OK && s.Streak >= 1 && s.RawSuccess == 0);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "protocol"), (seen[^1].Code, seen[^1].Reason));
        Assert.True(seen[^1].Streak >= 3, $"flipped at streak {seen[^1].Streak}");
    }
}
