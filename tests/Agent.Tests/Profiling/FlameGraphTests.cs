using System.Text;
using System.Text.RegularExpressions;
using Agent.Profiling;
using Agent.Status;

namespace Agent.Tests.Profiling;

/// <summary>The page's flame graph: the call tree from a profile's stacks, and its boxes' widths in the SVG.</summary>
public partial class FlameGraphTests
{
    private static ProfileFrame F(string name) => new(name);

    private static CpuProfile Profile() => new(
        DateTimeOffset.UnixEpoch,
        TimeSpan.FromSeconds(5),
        TimeSpan.FromMilliseconds(1),
        [
            new([F("App.Hot"), F("App.Run"), F("Main")], 600),
            new([F("App.Hot"), F("App.Helper"), F("App.Run"), F("Main")], 150), // Hot reached another way too
            new([F("App.Warm"), F("App.Run"), F("Main")], 246),
            new([F("Tiny"), F("Main")], 4), // 0.4 %: under the page's threshold
        ]);

    [Fact]
    public void Stacks_become_one_tree_from_the_outermost_caller_with_callees_by_name_and_slivers_folded()
    {
        var root = FlameGraph.Build(Profile());

        Assert.Equal(("all", 1000L), (root.Name, root.Value));
        var main = Assert.Single(root.Children);
        Assert.Equal(("Main", 1000L), (main.Name, main.Value)); // Tiny's 4 samples stay in Main's width
        var run = Assert.Single(main.Children);
        Assert.Equal(["App.Helper", "App.Hot", "App.Warm"], run.Children.Select(c => c.Name));
        Assert.Equal([150L, 600L, 246L], run.Children.Select(c => c.Value));
        Assert.Equal(150, Assert.Single(run.Children[0].Children).Value);
    }

    [Fact]
    public void Each_box_is_as_wide_as_its_share_and_names_itself_without_script()
    {
        var html = new StringBuilder();
        FlameSvg.Write(html, FlameGraph.Build(Profile()));
        var svg = html.ToString();

        var shares = Box().Matches(svg).ToDictionary(m => m.Groups["fn"].Value + "@" + m.Groups["y"].Value, m => m.Groups["w"].Value);
        Assert.Equal("60%", shares["App.Hot@16"]);   // the direct call, one row above App.Run
        Assert.Equal("24.6%", shares["App.Warm@16"]);
        Assert.Equal("15%", shares["App.Helper@16"]);
        Assert.Equal("15%", shares["App.Hot@0"]);    // through Helper: the top row
        Assert.Equal("100%", shares["all@64"]);      // the root at the bottom
        Assert.DoesNotContain("Tiny", svg, StringComparison.Ordinal);
        Assert.Contains("<title>App.Hot — 60 %</title>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", svg, StringComparison.Ordinal);
    }

    [GeneratedRegex("<g data-fn=\"(?<fn>[^\"]+)\"[^>]*><title>[^<]*</title><rect class=\"h\\d\" x=\"[^\"]+\" y=\"(?<y>\\d+)\" width=\"(?<w>[^\"]+)\"")]
    private static partial Regex Box();
}
