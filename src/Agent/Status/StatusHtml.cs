using System.Globalization;
using System.Net;
using System.Text;
using Agent.Common;

namespace Agent.Status;

/// <summary>
/// The status page: one self-contained HTML document (inline CSS and SVG, no script, no external
/// asset), light or dark by <c>prefers-color-scheme</c>, one column on a phone, reloaded by
/// <c>meta refresh</c>. Every string from outside the agent is HTML-encoded.
/// </summary>
internal static class StatusHtml
{
    /// <summary>Colours: light first, then dark; series colours are chosen to read on both backgrounds.</summary>
    private const string Css =
        ":root{color-scheme:light dark;--bg:#f5f6f8;--fg:#1f2328;--mut:#5b6570;--card:#fff;--line:#d6dbe1;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;"
        + "--c1:#0969da;--c2:#8250df;--c3:#1b7c83;--c4:#bc4c00;--c5:#bf3989;--c6:#4b7a1a}"
        + "@media(prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mut:#8d96a0;--card:#161b22;--line:#30363d;--ok:#3fb950;--bad:#f85149;--warn:#d29922;"
        + "--c1:#58a6ff;--c2:#bc8cff;--c3:#39c5cf;--c4:#f0883e;--c5:#ff7eb6;--c6:#7ee787}}"
        + "*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}"
        + "main{max-width:1080px;margin:auto;padding:12px}h1{font-size:20px;margin:0 8px 0 0;display:inline}h2{font-size:17px;margin:0 0 8px}"
        + "a{color:var(--c1)}small,.mut{color:var(--mut)}header{margin:4px 0 12px}nav a{margin-right:12px}"
        + ".card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;margin:0 0 14px}"
        + ".b{display:inline-block;padding:1px 9px;border-radius:11px;font-size:12px;font-weight:700;color:#fff;vertical-align:2px}"
        + ".ok{background:var(--ok)}.bad{background:var(--bad)}.warn{background:var(--warn)}.off{background:var(--mut)}"
        + ".g{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:10px}"
        + "figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:6px 8px}figcaption{font-size:13px}figcaption b{font-size:16px;margin-left:4px;white-space:nowrap}"
        + "svg{display:block;width:100%;height:44px}"
        + "polyline{fill:currentColor;fill-opacity:.16;stroke:currentColor;stroke-width:1.6;vector-effect:non-scaling-stroke;stroke-linejoin:round}"
        + "path.f{stroke:var(--bad);stroke-width:3;vector-effect:non-scaling-stroke;opacity:.8}"
        + "polyline.lim{fill:none;stroke:var(--bad);stroke-width:1.5;stroke-dasharray:4 3}.cg{margin:4px 0 8px;overflow-wrap:anywhere}"
        + "figure.flame{margin-top:10px}svg.fl{display:block;width:100%;font:11px ui-monospace,monospace}svg.fl rect{stroke:var(--card);stroke-width:.5}"
        + ".h0{fill:#e8743b}.h1{fill:#f19c3c}.h2{fill:#e9b949}.h3{fill:#d95f45}.h4{fill:#f2c46d}.h5{fill:#c9503a}svg.fl text{fill:#1f2328}"
        + ".s1{color:var(--c1)}.s2{color:var(--c2)}.s3{color:var(--c3)}.s4{color:var(--c4)}.s5{color:var(--c5)}.s6{color:var(--c6)}"
        + ".t{overflow-x:auto}table{width:100%;border-collapse:collapse;font-size:14px}th,td{text-align:left;padding:5px 6px;border-top:1px solid var(--line);vertical-align:top}"
        + "th{font-size:12px;color:var(--mut);font-weight:600;border-top:0}td.sp{min-width:120px;width:30%}td.sp svg{height:28px}tr.d td{border-top:0;padding-top:0;color:var(--mut);font-size:13px}"
        + "ol{list-style:none;margin:0;padding:0}li{padding:4px 0;border-top:1px solid var(--line);font-size:14px}li:first-child{border-top:0}"
        + "time{font-variant-numeric:tabular-nums;color:var(--mut);margin-right:6px}li .b{margin-right:6px}"
        + "@media(max-width:600px){body{font-size:14px}main{padding:8px}.card{padding:10px}th:nth-child(4),td:nth-child(4){display:none}}";

    /// <summary>Events on the page (the API has more): the timeline must not crowd out the charts, nor the size budget.</summary>
    public const int PageEvents = 25;

    public static string Render(StatusResponse s, int refreshSeconds)
    {
        var html = new StringBuilder(16 * 1024);
        var first = s.Targets.Count > 0 ? s.Targets[0] : null;
        var title = first is null ? "sidecar agent" : $"{first.Name} {(first.Up ? "up" : "down")} · ready {Label(s.Ready)} · sidecar agent";
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
            .Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{refreshSeconds}\">")
            .Append("<title>").Append(E(title)).Append("</title><style>").Append(Css).Append("</style></head><body><main>");

        html.Append("<header><h1>sidecar agent</h1>")
            .Append("<span class=\"b ").Append(ReadyClass(s.Ready)).Append("\" id=\"ready\">ready: ").Append(E(Label(s.Ready))).Append("</span>")
            .Append("<p class=\"mut\">")
            .Append(CultureInfo.InvariantCulture, $"v{E(s.Version)} · {Format.Clock(s.Now)} UTC · sampled every {Format.Seconds(s.IntervalSeconds)} · this page reloads every {refreshSeconds} s")
            .Append("</p><nav><a href=\"/metrics\">/metrics</a><a href=\"/ready\">/ready</a><a href=\"/health\">/health</a><a href=\"/api/status\">/api/status</a></nav></header>");

        foreach (var t in s.Targets)
        {
            Target(html, t, s.Now);
        }

        Probes(html, s);
        Events(html, s);
        html.Append("</main></body></html>");
        return html.ToString();
    }

    private static void Target(StringBuilder html, TargetStatus t, DateTimeOffset now)
    {
        html.Append("<section class=\"card\" data-target=\"").Append(E(t.Name)).Append("\"><h2>")
            .Append("<span class=\"b ").Append(t.Up ? "ok" : "bad").Append("\">").Append(t.Up ? "UP" : "DOWN").Append("</span> ")
            .Append(E(t.Name)).Append("</h2><p>");
        if (t.Up)
        {
            html.Append(CultureInfo.InvariantCulture, $"pid <b>{t.Pid}</b> ({E(t.Process)})");
            if (t.Processes > 1)
            {
                html.Append(CultureInfo.InvariantCulture, $", {t.Processes} processes");
            }

            html.Append(" · up <b>").Append(Format.Duration(t.UptimeSeconds ?? 0)).Append("</b>");
        }
        else
        {
            html.Append("<b>").Append(E(t.Problem ?? "not running")).Append("</b>");
        }

        html.Append(CultureInfo.InvariantCulture, $" · <b>{t.Restarts}</b> restart{(t.Restarts == 1 ? string.Empty : "s")}")
            .Append(" · <span class=\"mut\">").Append(E(t.Selector)).Append("</span></p>");
        if (t.Container is { } container)
        {
            Container(html, container, t.Restarts);
        }

        var times = t.History.Time;
        if (times.Length == 0)
        {
            html.Append("<p class=\"mut\">No history yet: points appear with each sampling tick.</p></section>");
            return;
        }

        var from = times[0];
        var to = now.ToUnixTimeMilliseconds();
        var span = Format.Duration((to - from) / 1000.0);
        html.Append("<div class=\"g\">");
        var i = 0;
        foreach (var c in Chart.Of(t.History, t.Container))
        {
            i++;
            var buckets = Sparkline.Reduce(c.Times ?? times, c.Values, from, to);
            var line = c.Line is { } l ? Sparkline.Reduce(c.Times ?? times, l, from, to) : null;
            html.Append("<figure data-chart=\"").Append(c.Key).Append("\"><figcaption>").Append(E(c.Title))
                .Append("<b>").Append(c.Latest is { } v ? c.Show(v) : "–").Append("</b>")
                .Append(c.Note is { } note ? " " + E(note) : string.Empty).Append("<br><small>")
                .Append(c.Peak is { } p ? $"peak {c.Show(p)} · " : string.Empty)
                .Append(line is not null ? "dashed: the limit · " : string.Empty).Append("last ").Append(span).Append("</small></figcaption>");
            Sparkline.Svg(html, buckets, c.Floor, $"s{(i - 1) % 6 + 1}", E(c.Title), line: line);
            html.Append("</figure>");
        }

        html.Append("</div>");
        foreach (var f in t.Profiles ?? [])
        {
            html.Append("<figure class=\"flame\" data-flame=\"").Append(f.Key).Append("\"><figcaption>CPU profile, ").Append(E(f.Title))
                .Append(CultureInfo.InvariantCulture, $"<b>{f.CpuSeconds:0.##} s CPU</b><br><small>width: share of CPU samples; bottom: outermost caller; hover a frame for its name and share</small></figcaption>");
            FlameSvg.Write(html, f.Root);
            html.Append("</figure>");
        }

        html.Append("</section>");
    }

    /// <summary>The cgroup line: memory against the limit, the CPU limit and throttling, OOM kills (the last one in red).</summary>
    private static void Container(StringBuilder html, ContainerStatus c, long restarts)
    {
        var route = c.Route == "target_root" ? "through the target's root" : "through the agent's mount";
        html.Append("<p class=\"cg\" data-container>").Append("<span class=\"mut\">cgroup ").Append(E(c.Cgroup))
            .Append(CultureInfo.InvariantCulture, $" (v{c.Version}, {route})</span>");
        if (Format.MemoryOfLimit(c.WorkingSetBytes, c.LimitBytes) is { } memory)
        {
            html.Append(" · <b data-memory>").Append(E(memory)).Append("</b>");
        }

        if (c.CpuLimitCores is { } cores)
        {
            html.Append(CultureInfo.InvariantCulture, $" · CPU limit <b>{cores:0.###}</b> cores");
            if (c.ThrottledRatio is { } r)
            {
                html.Append(", throttled <b data-throttled>").Append(Format.Percent(r)).Append("</b>");
            }
        }

        if (c.OomKills is { } kills)
        {
            html.Append(CultureInfo.InvariantCulture, $" · <b>{kills}</b> OOM kill{(kills == 1 ? string.Empty : "s")}");
            if (c.OomKilledRestarts > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $" ({c.OomKilledRestarts} of {restarts} restarts)");
            }
        }

        html.Append("</p>");
        if (c.LastOomKill is { } last)
        {
            html.Append("<p data-oom><span class=\"b bad\">OOM-killed</span> ").Append(Format.Clock(last.At)).Append(" UTC: ").Append(E(last.Detail)).Append("</p>");
        }
    }

    private static void Probes(StringBuilder html, StatusResponse s)
    {
        html.Append("<section class=\"card\"><h2>Dependencies</h2>");
        if (s.Probes.Count == 0)
        {
            html.Append("<p class=\"mut\">No probes configured (<code>Probes:&lt;name&gt;:Kind</code>).</p></section>");
            return;
        }

        html.Append("<div class=\"t\"><table><thead><tr><th>probe</th><th>state</th><th>reason</th><th>age</th><th>latency</th><th>streak</th><th>last 15 min</th></tr></thead><tbody>");
        var to = s.Now.ToUnixTimeMilliseconds();
        foreach (var p in s.Probes)
        {
            var cls = p.State switch { "ok" => "ok", "pending" => "off", _ => p.Critical ? "bad" : "warn" };
            html.Append("<tr data-probe=\"").Append(E(p.Name)).Append("\"><td><b>").Append(E(p.Name)).Append("</b><br><small>")
                .Append(E(p.Kind)).Append(p.Critical ? " · critical" : " · non-critical").Append("</small></td>")
                .Append("<td><span class=\"b ").Append(cls).Append("\">").Append(E(p.State)).Append("</span></td>")
                .Append("<td class=\"reason\">").Append(E(p.Reason ?? "–")).Append("</td>")
                .Append("<td>").Append(p.AgeSeconds is { } age ? Format.Seconds(age) : "–").Append("</td>")
                .Append("<td>").Append(p.LatencyMs is { } ms ? Format.Millis(ms) : "–").Append("</td>")
                .Append("<td>").Append(p.Streak > 0 ? string.Create(CultureInfo.InvariantCulture, $"{p.Streak} × since {Format.Clock(p.Since!.Value)}") : "–").Append("</td><td class=\"sp\">");
            var h = p.History;
            if (h.Time.Length > 0)
            {
                var from = h.Time[0];
                var latency = Sparkline.Reduce(h.Time, h.LatencyMs.Select(v => (double?)v).ToArray(), from, to);
                var failed = Sparkline.Reduce(h.Time, h.Reason.Select(r => r is null ? (double?)null : 1).ToArray(), from, to);
                Sparkline.Svg(html, latency, 1, "s1", "latency", svg =>
                {
                    var marks = new StringBuilder();
                    for (var b = 0; b < failed.Length; b++)
                    {
                        if (failed[b] is not null)
                        {
                            marks.Append(CultureInfo.InvariantCulture, $"M{b} 0V{Sparkline.Height}");
                        }
                    }

                    if (marks.Length > 0)
                    {
                        svg.Append("<path class=\"f\" d=\"").Append(marks).Append("\"/>");
                    }
                });
            }

            html.Append("</td></tr><tr class=\"d\"><td colspan=\"7\">").Append(E(p.Description ?? string.Empty)).Append("</td></tr>");
        }

        html.Append("</tbody></table></div></section>");
    }

    private static void Events(StringBuilder html, StatusResponse s)
    {
        html.Append("<section class=\"card\"><h2>Events</h2>");
        if (s.Events.Count == 0)
        {
            html.Append("<p class=\"mut\">Nothing happened yet.</p></section>");
            return;
        }

        html.Append("<ol>");
        foreach (var e in s.Events.Take(PageEvents))
        {
            html.Append("<li><time datetime=\"").Append(e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)).Append("\">")
                .Append(Format.Clock(e.At)).Append("</time><span class=\"b ").Append(e.Bad ? "bad" : "ok").Append("\">").Append(E(e.Kind)).Append("</span><b>")
                .Append(E(e.Subject)).Append("</b> ").Append(E(e.Detail))
                .Append(" <small>").Append(Format.Duration((s.Now - e.At).TotalSeconds)).Append(" ago</small></li>");
        }

        html.Append("</ol>");
        if (s.Events.Count > PageEvents)
        {
            html.Append("<p class=\"mut\">Older events: <a href=\"/api/status\">/api/status</a>.</p>");
        }

        html.Append("</section>");
    }

    private static string ReadyClass(HealthState ready) => ready switch
    {
        HealthState.Healthy => "ok",
        HealthState.Degraded => "warn",
        HealthState.Starting => "off",
        _ => "bad",
    };

    /// <summary>The word /ready uses for the state.</summary>
    public static string Label(HealthState ready) => ready == HealthState.Starting ? "starting" : ready.ToString();

    internal static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);
}
