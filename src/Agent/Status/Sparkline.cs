using System.Globalization;
using System.Text;

namespace Agent.Status;

/// <summary>
/// Server-side sparklines: a series reduced to at most <see cref="Buckets"/> points (each the peak
/// of its slice of the window, so a spike is never averaged away), drawn as inline SVG with
/// integer coordinates. No script and no external asset: a pod may have no internet.
/// </summary>
internal static class Sparkline
{
    public const int Buckets = 60;
    /// <summary>One unit per bucket: x is the bucket's index, the shortest coordinates there are.</summary>
    public const int Width = Buckets - 1;
    public const int Height = 40;

    /// <summary>Per bucket: the peak of the values that fall in it, or null.</summary>
    public static double?[] Reduce(long[] times, IReadOnlyList<double?> values, long from, long to, int buckets = Buckets)
    {
        var result = new double?[buckets];
        var span = Math.Max(1, to - from);
        for (var i = 0; i < times.Length; i++)
        {
            if (values[i] is not { } v || times[i] < from)
            {
                continue;
            }

            var b = (int)Math.Min(buckets - 1, (times[i] - from) * buckets / span);
            result[b] = result[b] is { } old ? Math.Max(old, v) : v;
        }

        return result;
    }

    /// <summary>
    /// An SVG of one polyline (class <paramref name="css"/> sets the colour), or nothing drawn if no
    /// value is known. The polyline starts and ends on the baseline, so its fill is the area under
    /// the curve: one list of points serves as line and area (half the bytes of a separate polygon).
    /// </summary>
    /// <param name="line">A reference drawn over the series as a dashed line (the memory limit); the scale includes it.</param>
    public static void Svg(StringBuilder html, double?[] buckets, double floor, string css, string label, Action<StringBuilder>? extra = null, double?[]? line = null)
    {
        // The axis starts at 0 (a flat line means flat, not noise); 15 % headroom keeps the peak off the edge.
        var hi = Math.Max(Math.Max(floor, buckets.Max() ?? 0), line?.Max() ?? 0) * 1.15;
        html.Append("<svg viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height)
            .Append("\" preserveAspectRatio=\"none\" class=\"").Append(css).Append("\" role=\"img\" aria-label=\"").Append(label).Append("\">");
        int first = -1, last = -1;
        for (var i = 0; i < buckets.Length; i++)
        {
            if (buckets[i] is not { } v)
            {
                continue;
            }

            if (first < 0)
            {
                first = i;
                html.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{i},{Height}");
            }

            last = i;
            html.Append(CultureInfo.InvariantCulture, $" {i},{(int)Math.Round(Height - 1 - (v / hi * (Height - 4)))}");
        }

        if (first >= 0)
        {
            html.Append(CultureInfo.InvariantCulture, $" {last},{Height}\"/>");
        }

        if (line is not null)
        {
            var points = new StringBuilder();
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] is { } v)
                {
                    points.Append(CultureInfo.InvariantCulture, $"{(points.Length == 0 ? string.Empty : " ")}{i},{(int)Math.Round(Height - 1 - (v / hi * (Height - 4)))}");
                }
            }

            if (points.Length > 0)
            {
                html.Append("<polyline class=\"lim\" points=\"").Append(points).Append("\"/>");
            }
        }

        extra?.Invoke(html);
        html.Append("</svg>");
    }

    /// <summary>
    /// How many columns a terminal sparkline of <paramref name="times"/> gets: at most
    /// <paramref name="max"/>, and never so many that a column is narrower than the widest gap
    /// between two samples — else a column between two samples holds none and prints blank, as if
    /// nothing was known there (the first sample is taken at start, the next only one interval later).
    /// </summary>
    public static int Columns(long[] times, long to, int max)
    {
        if (times.Length < 2)
        {
            return 1;
        }

        var widest = 1L;
        for (var i = 1; i < times.Length; i++)
        {
            widest = Math.Max(widest, times[i] - times[i - 1]);
        }

        var span = Math.Max(1, to - times[0]);
        return (int)Math.Clamp(span / widest, 1, Math.Min(max, times.Length));
    }

    /// <summary>A terminal sparkline: one block character per bucket, scaled to the peak.</summary>
    public static string Text(double?[] buckets, double floor)
    {
        const string blocks = "▁▂▃▄▅▆▇█";
        var hi = Math.Max(floor, buckets.Max() ?? 0);
        var sb = new StringBuilder(buckets.Length);
        foreach (var b in buckets)
        {
            sb.Append(b is { } v ? blocks[(int)Math.Clamp(Math.Round(v / hi * (blocks.Length - 1)), 0, blocks.Length - 1)] : ' ');
        }

        return sb.ToString();
    }
}
