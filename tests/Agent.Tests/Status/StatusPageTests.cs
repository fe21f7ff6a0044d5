using System.Text;
using System.Text.RegularExpressions;
using Agent.Configuration;
using Agent.Containers;
using Agent.Endpoints;
using Agent.History;
using Agent.Probes;
using Agent.Procfs;
using Agent.Readiness;
using Agent.Runtimes;
using Agent.Sampling;
using Agent.Status;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using static Agent.Tests.History.HistoryData;

namespace Agent.Tests.Status;

/// <summary>The page and the terminal summary rendered from a full store: size budget, structure, encoding.</summary>
public partial class StatusPageTests
{
    private const int Ticks = 1000; // more than the 900 points a ring keeps

    /// <summary>The heaviest page the budget covers: 5 targets with .NET counters, 10 probes failing now and then, a full event list.</summary>
    private static (StatusResponse Status, string Html) Full(string probeDescription = "refused: SocketException: Connection refused", int targetCount = 5, bool containers = false)
    {
        var probes = Enumerable.Range(0, 10).Select(i => Probe($"dependency-{i}")).ToList();
        var history = new HistoryStore(TimeSpan.FromSeconds(1), probes);
        var recorder = new HistoryRecorder(history);
        var results = new ProbeResultStore();
        var time = new FakeTimeProvider(T0 + TimeSpan.FromSeconds(Ticks));
        var last = new TargetSnapshot[targetCount];
        for (var i = 0; i < Ticks; i++)
        {
            var at = TimeSpan.FromSeconds(i);
            foreach (var p in probes)
            {
                var fail = (i / 37 + p.Name.Length) % 4 == 0;
                results.Publish(fail ? new ProbeResult(p, ProbeOutcome.Failed(FailureReason.Refused, probeDescription), TimeSpan.FromMilliseconds(1 + (i % 13)), T0 + at) : Result(p, at, latencyMs: 1 + (i % 13)));
            }

            for (var t = 0; t < targetCount; t++)
            {
                var sample = Sample(100 + t, i * 0.37 * (t + 1), rssBytes: (200L << 20) + ((long)Math.Sin(i / 30.0) * (40L << 20)) + (i * 4096L), threads: 20 + (i % 9), fds: 100 + (i % 31), name: $"svc{t}");
                last[t] = Snapshot(sample, at) with { Name = $"service-{t}", Container = containers ? Container(i, t) : null };
                var runtime = new DotnetRuntimeSnapshot(100 + t, new Dictionary<string, double>(), 50e6 + (i % 50 * 1e6), (i % 10) / 1000.0, null, null, null, null, null, null);
                recorder.Record($"service-{t}", last[t], runtime, results.Current);
            }
        }

        var targets = new TargetSnapshotStore(new SamplingSnapshot(last, last[0].TakenAt));
        targets.Publish(new SamplingSnapshot(last, last[0].TakenAt));
        var builder = new StatusBuilder(history, targets, results, new ReadinessEvaluator(probes, new ReadinessOptions()), new SamplingSchedule(TimeSpan.FromSeconds(1)), time);
        var status = builder.Build();
        return (status, StatusHtml.Render(status, 2));
    }

    [Fact]
    public void The_heaviest_page_stays_within_40_KB()
    {
        var (status, html) = Full();
        Assert.Equal(5, status.Targets.Count);
        Assert.Equal(10, status.Probes.Count);
        Assert.Equal(StatusBuilder.MaxEvents, status.Events.Count);
        var bytes = Encoding.UTF8.GetByteCount(html);
        Assert.True(bytes <= 40 * 1024, $"page is {bytes} bytes");
    }

    [Fact]
    public void Each_target_beyond_five_adds_under_4_KB_to_the_page()
    {
        // The README's figure: 40 KB holds 5 targets, 10 probes and a full timeline; a pod with more
        // targets pays per target, not a cliff (measured 3.7 KB per .NET target with its six charts).
        var five = Encoding.UTF8.GetByteCount(Full().Html);
        var (status, html) = Full(targetCount: 20);
        Assert.Equal(20, status.Targets.Count);
        var perTarget = (Encoding.UTF8.GetByteCount(html) - five) / 15.0;
        Assert.InRange(perTarget, 1024, 4 * 1024);
    }

    [Fact]
    public void Every_chart_is_one_polyline_over_the_window_and_every_probe_row_marks_its_failures()
    {
        var (status, html) = Full();
        var figures = Figure().Matches(html);
        Assert.Equal(5 * 6, figures.Count); // CPU, memory, threads, fds, .NET heap, GC pause
        foreach (Match f in figures)
        {
            var polylines = Polyline().Matches(f.Value);
            var points = Assert.Single(polylines).Groups[1].Value.Split(' ');
            Assert.Equal(Sparkline.Buckets + 2, points.Length); // 900 points reduced to one per bucket, plus the area's two baseline ends
            Assert.Equal($"0,{Sparkline.Height}", points[0]);
            Assert.Equal($"{Sparkline.Buckets - 1},{Sparkline.Height}", points[^1]);
            Assert.All(points, p => Assert.Matches("^[0-9]+,[0-9]+$", p));
        }

        foreach (var p in status.Probes)
        {
            var row = Regex.Match(html, $"<tr data-probe=\"{p.Name}\">.*?</tr>", RegexOptions.Singleline, TimeSpan.FromSeconds(1)).Value;
            Assert.Contains("<polyline", row, StringComparison.Ordinal);
            Assert.Equal(p.History.Reason.Any(r => r is not null), row.Contains("class=\"f\"", StringComparison.Ordinal));
        }
    }

    /// <summary>A 512 MiB, 0.5-core cgroup whose working set swings around 412 MiB and that is throttled on some ticks.</summary>
    private static ContainerSample Container(int tick, int target)
    {
        var workingSet = (412L << 20) + ((long)(Math.Sin(tick / 20.0) * 40) << 20);
        var values = new CgroupValues(
            workingSet + (10L << 20), 512L << 20, false, null, new CgroupMemoryStat(workingSet, 10L << 20, 10L << 20), new CgroupMemoryEvents(0, 0, 0, 0),
            tick * 500_000L, new CgroupCpuMax(50_000, 100_000, false), new CgroupCpuStat(tick * 500_000L, tick * 10L, tick * 3L, tick * 1000L),
            new CgroupPressure(tick * (100_000L + (target * 1000)), 0), new CgroupPressure(tick * 1000L, 0), default, 12, 4096, CgroupFile.IoPressure);
        return new ContainerSample($"/kubepods/pod{target}/c", 2, CgroupRoute.AgentMount, values, 0, 0, 0, 0, (tick % 10) / 10.0);
    }

    [Fact]
    public void A_target_in_a_cgroup_shows_memory_against_its_limit_as_a_line_and_its_throttling()
    {
        var (status, html) = Full(containers: true);
        var t = status.Targets[0];
        var c = Assert.IsType<ContainerStatus>(t.Container);
        var card = Regex.Match(html, "<section class=\"card\" data-target=\"service-0\">.*?</section>", RegexOptions.Singleline, TimeSpan.FromSeconds(1)).Value;
        var expected = $"memory {c.WorkingSetBytes!.Value / (1 << 20):0} MiB of 512 MiB ({Math.Round(100.0 * c.WorkingSetBytes.Value / (512L << 20)):0} %)";

        Assert.Contains($"<b data-memory>{expected}</b>", card, StringComparison.Ordinal);
        Assert.Contains("CPU limit <b>0.5</b> cores, throttled <b data-throttled>", card, StringComparison.Ordinal);
        var memory = Regex.Match(card, "<figure data-chart=\"cgmem\">.*?</figure>", RegexOptions.Singleline, TimeSpan.FromSeconds(1)).Value;
        var limit = Regex.Match(memory, "<polyline class=\"lim\" points=\"([^\"]*)\"/>", RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.True(limit.Success, memory);
        // The limit is the same at every point: one flat line, above the working set's curve.
        var ys = limit.Groups[1].Value.Split(' ').Select(p => int.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.Single(ys);
        var curve = Polyline().Match(memory).Groups[1].Value.Split(' ').Skip(1).SkipLast(1).Select(p => int.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(curve, y => Assert.True(y > ys[0], $"working set at y={y} is not below the limit at y={ys[0]}"));
        Assert.Contains("<figure data-chart=\"throttle\">", card, StringComparison.Ordinal);
        Assert.Contains("<figure data-chart=\"cpupsi\">", card, StringComparison.Ordinal);

        var summary = StatusText.Render(status);
        Assert.Contains($"  {expected} · CPU limit 0.5 cores, throttled ", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_heaviest_page_with_every_target_in_a_cgroup_stays_within_56_KB()
    {
        var (status, html) = Full(containers: true);
        Assert.All(status.Targets, t => Assert.NotNull(t.Container));
        var bytes = Encoding.UTF8.GetByteCount(html);
        Assert.True(bytes <= 56 * 1024, $"page is {bytes} bytes");
    }

    [Fact]
    public void Text_from_outside_the_agent_is_encoded()
    {
        var (_, html) = Full("refused: <script>alert(1)</script> & \"quotes\"");
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_terminal_summary_fits_a_terminal()
    {
        var (status, _) = Full();
        var text = StatusText.Render(status);
        var lines = text.Split('\n');
        Assert.StartsWith("sidecar agent ", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("service-3  UP  pid 103 (svc3)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("dependency-7 ", StringComparison.Ordinal));
        Assert.All(lines.Where(l => !l.StartsWith("  " + new string(' ', 13), StringComparison.Ordinal) && !l.Contains("found", StringComparison.Ordinal)), l => Assert.True(l.Length <= 100, l));
    }

    [Fact]
    public void A_comm_with_a_newline_stays_on_its_line_of_the_terminal_summary()
    {
        // prctl(PR_SET_NAME) takes any bytes but NUL: "web\nFAKE  UP" would forge a line.
        var history = new HistoryStore(TimeSpan.FromSeconds(1), []);
        var recorder = new HistoryRecorder(history);
        var results = new ProbeResultStore();
        var snapshot = Snapshot(Sample(100, 1, name: "web\nFAKE  UP"), TimeSpan.Zero);
        recorder.Record("app", snapshot, null, results.Current);
        var targets = new TargetSnapshotStore(new SamplingSnapshot([snapshot], snapshot.TakenAt));
        var builder = new StatusBuilder(history, targets, results, new ReadinessEvaluator([], new ReadinessOptions()), new SamplingSchedule(TimeSpan.FromSeconds(1)), new FakeTimeProvider(T0 + TimeSpan.FromSeconds(1)));

        var lines = StatusText.Render(builder.Build()).Split('\n');

        Assert.DoesNotContain(lines, l => l.StartsWith("FAKE", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("app  UP  pid 100 (web\\nFAKE  UP)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("text/plain", true)]
    [InlineData("text/plain, text/html;q=0.5", true)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false)] // a browser
    [InlineData("*/*", false)]                                                          // curl's default
    [InlineData("text/html;q=0.9, text/plain", true)]
    [InlineData("text/plain;q=0.5, text/html", false)]
    [InlineData("", false)]
    [InlineData("garbage;;;===", false)]
    public void Accept_decides_between_page_and_summary(string accept, bool text)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Accept = accept;
        Assert.Equal(text, StatusPageEndpoint.PrefersText(http.Request));
    }

    [GeneratedRegex("<figure data-chart=\"[a-z]+\">.*?</figure>", RegexOptions.Singleline)]
    private static partial Regex Figure();

    [GeneratedRegex("<polyline points=\"([^\"]*)\"/>")]
    private static partial Regex Polyline();
}
