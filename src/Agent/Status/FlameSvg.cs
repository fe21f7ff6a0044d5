using System.Globalization;
using System.Text;
using Agent.Profiling;

namespace Agent.Status;

/// <summary>
/// A flame graph as inline SVG, no script: one box per frame, its width the frame's share of the
/// samples (in percent of the figure, so it fits any screen), the outermost caller at the bottom,
/// each box's name and share in its <c>title</c> (the browser's tooltip) and written inside it
/// where it fits (a nested <c>svg</c> clips the text to the box).
/// </summary>
internal static class FlameSvg
{
    private const int Row = 16;

    public static void Write(StringBuilder html, FlameNode root)
    {
        var depth = Depth(root);
        html.Append(CultureInfo.InvariantCulture, $"<svg class=\"fl\" role=\"img\" aria-label=\"flame graph\" height=\"{depth * Row}\">");
        Node(html, root, root.Value, 0, 0, depth);
        html.Append("</svg>");
    }

    private static void Node(StringBuilder html, FlameNode node, long total, double x, int level, int depth)
    {
        if (total <= 0)
        {
            return;
        }

        var width = 100.0 * node.Value / total;
        var y = (depth - level - 1) * Row;
        var name = StatusHtml.E(node.Name);
        html.Append(CultureInfo.InvariantCulture, $"<g data-fn=\"{name}\" data-share=\"{width:0.###}\"><title>{name} — {width:0.#} %</title>")
            .Append(CultureInfo.InvariantCulture, $"<rect class=\"h{Hue(node.Name)}\" x=\"{x:0.###}%\" y=\"{y}\" width=\"{width:0.###}%\" height=\"{Row - 1}\"/>")
            .Append(CultureInfo.InvariantCulture, $"<svg x=\"{x:0.###}%\" y=\"{y}\" width=\"{width:0.###}%\" height=\"{Row - 1}\"><text x=\"3\" y=\"11\">{name}</text></svg></g>");
        var childX = x;
        foreach (var child in node.Children)
        {
            Node(html, child, total, childX, level + 1, depth);
            childX += 100.0 * child.Value / total;
        }
    }

    private static int Depth(FlameNode node) => 1 + (node.Children.Count == 0 ? 0 : node.Children.Max(Depth));

    // A stable colour per function name (not per run), from a small warm palette.
    private static int Hue(string name)
    {
        var h = 0u;
        foreach (var c in name)
        {
            h = (h * 31) + c;
        }

        return (int)(h % 6);
    }
}
