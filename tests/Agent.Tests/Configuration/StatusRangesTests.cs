using Agent.Configuration;

namespace Agent.Tests.Configuration;

/// <summary><c>Probes:&lt;name&gt;:ExpectedStatus</c>: a list of codes and ranges of real HTTP status codes (100–599).</summary>
public class StatusRangesTests
{
    [Theory]
    [InlineData("200-399", "200-399")]
    [InlineData("200,204", "200,204")]
    [InlineData(" 200 - 299 , 418 ", "200-299,418")]
    [InlineData("100-599", "100-599")]
    [InlineData("599", "599")]
    [InlineData("100", "100")]
    [InlineData("204,,", "204")]
    [InlineData("301-301", "301")]
    public void Valid_lists_parse_and_print_back(string text, string printed)
    {
        Assert.True(StatusRanges.TryParse(text, out var ranges));
        Assert.Equal(printed, ranges.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("abc")]
    [InlineData("99")]
    [InlineData("600")]
    [InlineData("200-600")]
    [InlineData("99-200")]
    [InlineData("300-200")]
    [InlineData("200-300-400")]
    [InlineData("200-")]
    [InlineData("-200")]
    [InlineData("2xx")]
    public void Anything_else_is_refused_and_leaves_the_default(string text)
    {
        Assert.False(StatusRanges.TryParse(text, out var ranges));
        Assert.Same(StatusRanges.Default, ranges);
    }

    [Theory]
    [InlineData(199, false)]
    [InlineData(200, true)]
    [InlineData(250, true)]
    [InlineData(399, true)]
    [InlineData(400, false)]
    public void The_default_accepts_200_to_399_inclusive(int status, bool accepted)
    {
        Assert.Equal(accepted, StatusRanges.Default.Contains(status));
        Assert.Equal("200-399", StatusRanges.Default.ToString());
    }

    [Fact]
    public void Every_range_of_a_list_counts_with_its_bounds_included()
    {
        Assert.True(StatusRanges.TryParse("200-204,418,500-501", out var r));

        Assert.Equal([false, true, true, false, true, false, true, true, false],
            new[] { 199, 200, 204, 205, 418, 419, 500, 501, 502 }.Select(r.Contains));
    }
}
