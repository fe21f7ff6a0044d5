using System.Globalization;
using System.Text;

namespace Agent.Status;

/// <summary>
/// The terminal summary (<c>curl -H 'Accept: text/plain' host:9464/</c>): the same data as the
/// page in under 80 columns, with block-character sparklines.
/// </summary>
internal static class StatusText
{
    private const int Columns = 24;

    public static string Render(StatusResponse s)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(2048);
        sb.Append(c, $"sidecar agent {s.Version} · ready: {StatusHtml.Label(s.Ready)} · {s.Now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z\n");
        var now = s.Now.ToUnixTimeMilliseconds();
        foreach (var t in s.Targets)
        {
            sb.Append('\n');
            if (t.Up)
            {
                sb.Append(c, $"{t.Name}  UP  pid {t.Pid} ({Format.OneLine(t.Process)})  up {Format.Duration(t.UptimeSeconds ?? 0)}  restarts {t.Restarts}\n");
            }
            else
            {
                sb.Append(c, $"{t.Name}  DOWN  {Format.OneLine(t.Problem)}  restarts {t.Restarts}\n");
            }

            sb.Append(c, $"  selected by {t.Selector}\n");
            if (t.Container is { } cg)
            {
                var parts = new List<string>();
                if (Format.MemoryOfLimit(cg.WorkingSetBytes, cg.LimitBytes) is { } memory)
                {
                    parts.Add(memory);
                }

                if (cg.CpuLimitCores is { } cores)
                {
                    parts.Add(string.Create(c, $"CPU limit {cores:0.###} cores") + (cg.ThrottledRatio is { } r ? $", throttled {Format.Percent(r)}" : string.Empty));
                }

                if (cg.OomKills is { } kills)
                {
                    parts.Add(string.Create(c, $"OOM kills {kills}") + (cg.OomKilledRestarts > 0 ? string.Create(c, $" ({cg.OomKilledRestarts} restarts)") : string.Empty));
                }

                sb.Append(c, $"  {string.Join(" · ", parts)}\n");
                if (cg.LastOomKill is { } last)
                {
                    sb.Append(c, $"  OOM-killed {Format.Clock(last.At)}: {last.Detail}\n");
                }
            }

            var times = t.History.Time;
            if (times.Length == 0)
            {
                continue;
            }

            var span = Format.Duration((now - times[0]) / 1000.0);
            foreach (var chart in Chart.Of(t.History, t.Container))
            {
                var line = Sparkline.Text(Sparkline.Reduce(chart.Times ?? times, chart.Values, times[0], now, Sparkline.Columns(times, now, Columns)), chart.Floor);
                var latest = chart.Latest is { } v ? chart.Show(v) : "–";
                var peak = chart.Peak is { } p ? chart.Show(p) : "–";
                sb.Append(c, $"  {chart.Key,-8}{latest,11}  {line}  peak {peak} in {span}\n");
            }
        }

        if (s.Probes.Count > 0)
        {
            sb.Append("\nprobes\n");
            foreach (var p in s.Probes)
            {
                var age = p.AgeSeconds is { } a ? Format.Seconds(a) + " ago" : "–";
                var latency = p.LatencyMs is { } ms ? Format.Millis(ms) : "–";
                sb.Append(c, $"  {p.Name,-12} {p.Kind,-8} {p.State.ToUpperInvariant(),-8} {p.Reason ?? "-",-11} {age,-10} {latency,9}  ×{p.Streak}{(p.Critical ? string.Empty : "  (non-critical)")}\n");
                if (p.State != "ok" && p.Description is { } d)
                {
                    sb.Append(c, $"  {string.Empty,-12} {Format.OneLine(d)}\n");
                }
            }
        }

        if (s.Events.Count > 0)
        {
            sb.Append("\nevents (newest first)\n");
            foreach (var e in s.Events.Take(10))
            {
                sb.Append(c, $"  {Format.Clock(e.At)}  {e.Subject,-12} {e.Kind,-10} {Format.OneLine(e.Detail)}\n");
            }
        }

        return sb.ToString();
    }
}
