using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Agent.IntegrationTests.Infrastructure;

namespace Agent.IntegrationTests;

/// <summary>
/// The status page in a real browser (Debian's chromium, headless): an agent watching a real,
/// busy Python target with a real Redis probe; Redis is stopped and the page must say why. The
/// DOM is read as chromium rendered it, and the screenshots as pixels (python3-pil). The
/// screenshots stay in the run's results folder (./test.sh: TestResults/&lt;run&gt;/artifacts/).
/// </summary>
public sealed partial class BrowserTests
{
    private static readonly string Artifacts = Path.Combine(Repo.Results, "artifacts");

    [Fact]
    public async Task The_page_draws_history_and_names_the_reason_a_stopped_redis_fails()
    {
        await using var redis = await RedisServer.StartNew();
        await using var target = ChildProcess.Start("/usr/bin/python3", [Path.Combine(Repo.Targets, "wavy.py")]);
        await target.WaitForOutput("ready", TimeSpan.FromSeconds(30));
        await using var agent = await AgentProcess.Start(new Dictionary<string, string>
        {
            ["Target:Pid"] = target.Pid.ToString(CultureInfo.InvariantCulture),
            ["Sampling:Interval"] = "00:00:00.500",
            ["Probes:cache:Kind"] = "redis",
            ["Probes:cache:ConnectionString"] = redis.ConnectionString,
            ["Probes:cache:Period"] = "00:00:01",
        });
        var url = $"http://127.0.0.1:{agent.Port}/";

        // Wait for history: 12 points (1 s buckets at this interval) and a healthy probe.
        await Poll.Until(
            async () => await Status(agent) is var s && s.GetProperty("targets")[0].GetProperty("history").GetProperty("time").GetArrayLength() >= 12
                && Probe(s).GetProperty("state").GetString() == "ok",
            TimeSpan.FromSeconds(40),
            "12 points of history and the redis probe ok");

        await redis.Stop();
        await Poll.Until(
            async () => Probe(await Status(agent)) is var p && p.TryGetProperty("reason", out var reason) && reason.GetString() == "refused"
                && p.GetProperty("history").GetProperty("reason").EnumerateArray().Last().GetString() == "refused",
            TimeSpan.FromSeconds(15),
            "the probe failing with reason refused");

        Directory.CreateDirectory(Artifacts);
        var dom = await Chromium.DumpDom(url);
        await File.WriteAllTextAsync(Path.Combine(Artifacts, "status-page.dom.html"), dom);

        // The target as the page shows it: its name, up, with the pid the test started.
        var section = Regex.Match(dom, "<section class=\"card\" data-target=\"app\">.*?</section>", RegexOptions.Singleline, TimeSpan.FromSeconds(5));
        Assert.True(section.Success, "a section for target app");
        Assert.Contains(">UP<", section.Value, StringComparison.Ordinal);
        Assert.Contains($"pid <b>{target.Pid}</b>", section.Value, StringComparison.Ordinal);

        // One polyline per chart, each with at least 5 data points (plus the area's 2 baseline ends).
        // The process's charts first; then, for a target in a readable cgroup (the test runs in one),
        // its cgroup's, read every 5 s (fewer points, so not counted here; ContainerTests checks them).
        var all = Figure().Matches(section.Value).ToList();
        var charts = all.Take(4).ToList();
        Assert.Equal(["cpu", "rss", "threads", "fds"], charts.Select(c => c.Groups["key"].Value));
        var cgroupCharts = all.Skip(4).Select(c => c.Groups["key"].Value).ToList();
        Assert.All(cgroupCharts, k => Assert.Contains(k, (string[])["cgmem", "throttle", "cpupsi", "mempsi"]));
        var hasContainer = (await Status(agent)).GetProperty("targets")[0].TryGetProperty("container", out var container) && container.ValueKind == JsonValueKind.Object;
        Assert.True(hasContainer == cgroupCharts.Contains("cgmem"), $"cgroup charts [{string.Join(", ", cgroupCharts)}] while /api/status has a container: {hasContainer}");
        foreach (var chart in charts)
        {
            var lines = Polyline().Matches(chart.Value);
            var points = Assert.Single(lines).Groups["points"].Value.Split(' ');
            Assert.True(points.Length >= 5 + 2, $"{chart.Groups["key"].Value}: {points.Length} points");
        }

        // The threads chart moves: wavy.py runs 2 to 8 workers on a 40 s cycle.
        var threadHeights = Polyline().Match(charts[2].Value).Groups["points"].Value.Split(' ')[1..^1].Select(p => p.Split(',')[1]).Distinct().Count();
        Assert.True(threadHeights >= 2, "the threads line is not flat");

        // The probe row, with the reason it fails now.
        var row = Regex.Match(dom, "<tr data-probe=\"cache\">.*?</tr>\\s*<tr class=\"d\">.*?</tr>", RegexOptions.Singleline, TimeSpan.FromSeconds(5)).Value;
        Assert.Contains(">failing<", row, StringComparison.Ordinal);
        Assert.Contains("<td class=\"reason\">refused</td>", row, StringComparison.Ordinal);
        Assert.Contains("Connection refused", row, StringComparison.Ordinal);
        Assert.Contains("class=\"f\"", row, StringComparison.Ordinal); // failure marks on its sparkline
        Assert.Matches("<li><time[^>]*>[0-9:]+</time><span class=\"b bad\">failed</span><b>cache</b> refused", dom);
        Assert.DoesNotContain("<script", dom, StringComparison.Ordinal);

        // README: it reloads itself every sampling interval, at least 2 s (0.5 s here: 2), and loads
        // no external asset (a pod may have no internet): no URL to anywhere in the markup.
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"2\">", dom, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?i)(src|href|action)\\s*=\\s*[\"']?(https?:)?//", dom);
        Assert.DoesNotMatch("(?i)url\\(\\s*['\"]?(https?:)?//|@import", dom);
        Assert.DoesNotMatch("(?i)<(img|link|iframe|object|embed|video|audio)\\b", dom);

        // It fits a phone: laid out 360 px wide, nothing is wider than the screen. Headless chromium
        // keeps its window at least 500 px wide (measured here: 500 at --window-size=360), so the
        // page is laid out in a 360 px iframe; a copy of it with one added line reports its own
        // width to the frame around it.
        var copy = Path.Combine(Artifacts, "status-page.measure.html");
        var frame = Path.Combine(Artifacts, "status-page.phone.html");
        var html = await agent.Http.GetStringAsync("/");
        await File.WriteAllTextAsync(copy, html.Replace("</body>", "<script>parent.postMessage(document.documentElement.scrollWidth+'/'+innerWidth,'*')</script></body>", StringComparison.Ordinal));
        await File.WriteAllTextAsync(frame, $"<!doctype html><title>none</title><script>addEventListener('message',e=>document.title='width='+e.data)</script><iframe src=\"{new Uri(copy).AbsoluteUri}\" style=\"width:360px;height:800px;border:0\"></iframe>");
        var measured = await Chromium.DumpDom(new Uri(frame).AbsoluteUri);
        var size = Regex.Match(measured, "<title>width=(?<w>\\d+)/(?<v>\\d+)</title>", RegexOptions.None, TimeSpan.FromSeconds(5));
        Assert.True(size.Success, "the page reported its width: " + measured[..Math.Min(300, measured.Length)]);
        Assert.Equal("360", size.Groups["v"].Value);
        Assert.InRange(int.Parse(size.Groups["w"].Value, CultureInfo.InvariantCulture), 300, 360);

        // Pixels: light and dark, each not blank; red where the failing badge is.
        var light = Path.Combine(Artifacts, "status-page.png");
        var dark = Path.Combine(Artifacts, "status-page-dark.png");
        await Chromium.Screenshot(url, light, 1100, 1000);
        await Chromium.Screenshot(url, dark, 420, 1000, dark: true);
        var l = await Pixels(light);
        var d = await Pixels(dark);
        Assert.True(l.Colours >= 100, $"light screenshot has {l.Colours} distinct colours");
        Assert.True(d.Colours >= 100, $"dark screenshot has {d.Colours} distinct colours");
        Assert.True(l.Red >= 200, $"light screenshot: {l.Red} red pixels");
        Assert.True(l.Luminance > 180, $"light background: mean luminance {l.Luminance}");
        Assert.True(d.Luminance < 80, $"dark background: mean luminance {d.Luminance}");

        // The terminal summary, as curl gets it.
        var (code, text) = await Tool.Run("curl", ["-s", "-H", "Accept: text/plain", url]);
        Assert.Equal(0, code);
        Assert.Contains($"app  UP  pid {target.Pid} (python3)", text, StringComparison.Ordinal);
        Assert.Matches("cache +redis +FAILING +refused", text);
        Assert.DoesNotContain("<", text, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Status(AgentProcess agent) =>
        JsonDocument.Parse(await agent.Http.GetStringAsync("/api/status")).RootElement.Clone();

    private static JsonElement Probe(JsonElement status) => status.GetProperty("probes")[0];

    /// <summary>Distinct colours, strongly red pixels and mean luminance, as PIL reads the PNG.</summary>
    private static async Task<(int Colours, int Red, double Luminance)> Pixels(string png)
    {
        const string script = """
            import sys
            from PIL import Image
            im = Image.open(sys.argv[1]).convert("RGB")
            px = list(im.getdata())
            red = sum(1 for r, g, b in px if r > 180 and g < 90 and b < 90)
            lum = sum(0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in px) / len(px)
            print(len(set(px)), red, round(lum, 1))
            """;
        var (code, output) = await Tool.Run("/usr/bin/python3", ["-c", script, png]);
        Assert.True(code == 0, output);
        var f = output.Trim().Split(' ');
        return (int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("<figure data-chart=\"(?<key>[a-z]+)\">.*?</figure>", RegexOptions.Singleline)]
    private static partial Regex Figure();

    [GeneratedRegex("<polyline points=\"(?<points>[^\"]*)\"")]
    private static partial Regex Polyline();
}
