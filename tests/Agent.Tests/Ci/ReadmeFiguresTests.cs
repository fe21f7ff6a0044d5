using System.Globalization;
using System.Text.RegularExpressions;

namespace Agent.Tests.Ci;

/// <summary>
/// The README's headline figures (binary size, resident memory, threads, time to /health, page
/// size) come from a committed measurement: each one, at the precision the README writes it, is a
/// figure of docs/benchmarks.md in the same unit. A README edited without measuring, or a
/// measurement that moved without the README, fails here.
/// </summary>
public partial class ReadmeFiguresTests
{
    private static string Root => Agent.Tests.Fixtures.RepoRoot;

    public static TheoryData<string> Passages() => new(
        // The opening pitch (up to "Run it") and the status page's size promise.
        Section(File.ReadAllText(Path.Combine(Root, "README.md")), "It is for operators", "## Run it"),
        Section(File.ReadAllText(Path.Combine(Root, "README.md")), "The page reloads itself", "```text"));

    [Theory]
    [MemberData(nameof(Passages))]
    public void Every_figure_of_the_readme_is_one_the_benchmarks_file_measured(string passage)
    {
        var measured = Figures(File.ReadAllText(Path.Combine(Root, "docs", "benchmarks.md"))).ToList();
        var quoted = Figures(passage).ToList();
        Assert.NotEmpty(quoted);
        var unmeasured = quoted.Where(q => !measured.Any(m => m.Unit == q.Unit && Math.Round(m.Value, q.Decimals) == q.Value)).Select(q => q.Text).ToList();
        Assert.True(unmeasured.Count == 0, $"README figures not in docs/benchmarks.md: {string.Join(", ", unmeasured)}");
    }

    [Fact]
    public void A_figure_the_benchmarks_file_does_not_hold_is_caught()
    {
        var measured = Figures("binary 29.6 MiB, idle 33.0 MiB, 12 threads").ToList();
        var quoted = Figures("the binary is 27.3 MiB and idles at 33 MiB with 12 threads").ToList();
        Assert.Equal(["27.3 MiB"], quoted.Where(q => !measured.Any(m => m.Unit == q.Unit && Math.Round(m.Value, q.Decimals) == q.Value)).Select(q => q.Text));
    }

    private static string Section(string text, string from, string to)
    {
        var start = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no '{from}'");
        var end = text.IndexOf(to, start, StringComparison.Ordinal);
        return text[start..end];
    }

    private static IEnumerable<(string Text, double Value, int Decimals, string Unit)> Figures(string text) =>
        Figure().Matches(text.Replace(",", "", StringComparison.Ordinal)).Select(m => (
            m.Value,
            double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture),
            m.Groups["n"].Value.Contains('.', StringComparison.Ordinal) ? m.Groups["n"].Value.Split('.')[1].Length : 0,
            m.Groups["u"].Value));

    [GeneratedRegex(@"(?<![\w.])(?<n>\d+(?:\.\d+)?)\s?(?<u>MiB|MB|KB|ms|threads)\b")]
    private static partial Regex Figure();
}
