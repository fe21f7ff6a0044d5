using Agent.Runtimes;

namespace Agent.Tests.Runtimes;

/// <summary>
/// The strict reader at each edge of the text format (Prometheus' exposition_formats.md and
/// OpenMetrics 1.0): what is accepted, exactly as read, and each malformed form refused with its
/// line number.
/// </summary>
public class ExpositionParserEdgeTests
{
    private static ScrapedSample One(string text) => ExpositionParser.Parse(text).Single().Samples.Single();

    [Theory]
    [InlineData("x 1", 1.0)]
    [InlineData("x\t2.5", 2.5)]
    [InlineData("x  3", 3.0)]
    [InlineData("x -4e-1", -0.4)]
    [InlineData("x Inf", double.PositiveInfinity)]
    [InlineData("x +Inf", double.PositiveInfinity)]
    [InlineData("x -Inf", double.NegativeInfinity)]
    [InlineData("x 5 1700000000000", 5.0)]         // a timestamp
    [InlineData("x 6 1700000000000 #", 6.0)]        // at most three fields
    [InlineData("x{} 7", 7.0)]
    [InlineData("x{ } 8", 8.0)]
    [InlineData("x:y_z9 9", 9.0)]
    [InlineData("_x 10", 10.0)]
    [InlineData("x 11 \r", 11.0)]
    public void A_sample_value_is_read_exactly(string line, double value)
    {
        var s = One(line);

        Assert.Equal(value, s.Value);
        Assert.Empty(s.Labels);
    }

    [Fact]
    public void NaN_is_a_value()
    {
        Assert.True(double.IsNaN(One("x NaN").Value));
    }

    [Theory]
    [InlineData("x{a=\"1\"} 1", "a", "1")]
    [InlineData("x{ a=\"1\" } 1", "a", "1")]
    [InlineData("x{a=\"1\",} 1", "a", "1")]
    [InlineData("x{\ta=\"1\"\t} 1", "a", "1")]
    [InlineData("x{_a9=\"\"} 1", "_a9", "")]
    [InlineData("x{a=\"a b,c}d\"} 1", "a", "a b,c}d")]
    [InlineData("x{a=\"\\\\n\"} 1", "a", "\\n")]
    public void A_label_is_read_exactly(string line, string key, string value)
    {
        var label = Assert.Single(One(line).Labels);

        Assert.Equal(key, label.Key);
        Assert.Equal(value, label.Value);
    }

    [Fact]
    public void Labels_keep_their_order_and_sixty_four_are_allowed()
    {
        var labels = string.Join(",", Enumerable.Range(0, ExpositionParser.MaxLabels).Select(i => $"l{i}=\"{i}\""));
        var s = One($"x{{{labels}}} 1");

        Assert.Equal(ExpositionParser.MaxLabels, s.Labels.Count);
        Assert.Equal(Enumerable.Range(0, ExpositionParser.MaxLabels).Select(i => $"l{i}"), s.Labels.Select(l => l.Key));
        var e = Assert.Throws<FormatException>(() => ExpositionParser.Parse($"x{{{labels},extra=\"1\"}} 1"));
        Assert.Contains($"more than {ExpositionParser.MaxLabels} labels", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x{9a=\"1\"} 1", "malformed label")]
    [InlineData("x{a:b=\"1\"} 1", "malformed label")]
    [InlineData("x{a=\"1\"", "expected ',' or '}' after a label")]
    [InlineData("x{a=\"1\";b=\"2\"} 1", "expected ',' or '}' after a label")]
    [InlineData("x{a} 1", "malformed label")]
    [InlineData("x{a=} 1", "malformed label")]
    [InlineData("x{a=\"1\\", "unterminated label value")]
    [InlineData("x{a=\"1", "unterminated label value")]
    [InlineData("x", "expected a value")]
    [InlineData("x{a=\"1\"}", "expected a value")]
    [InlineData("x{a=\"1\"}1", "expected a value")]
    [InlineData("x-y 1", "expected a value")]
    [InlineData("{a=\"1\"} 1", "expected a metric name")]
    [InlineData(" x 1", "expected a metric name")]
    [InlineData("x 1 2 3 4", "expected a value and an optional timestamp")]
    [InlineData("x 0x10", "value is not a number")]
    [InlineData("x inf", "value is not a number")]
    [InlineData("# TYPE 9x gauge", "invalid metric name in TYPE")]
    [InlineData("# HELP x-y help", "invalid metric name in HELP")]
    [InlineData("# TYPE x", "unknown type")]
    public void A_malformed_line_is_refused_saying_what_is_wrong(string line, string why)
    {
        var e = Assert.Throws<FormatException>(() => ExpositionParser.Parse("# a comment\nok 1\n" + line));

        Assert.Equal($"line 3: {why}", e.Message);
    }

    [Theory]
    [InlineData("counter", "counter")]
    [InlineData("gauge", "gauge")]
    [InlineData("histogram", "histogram")]
    [InlineData("summary", "summary")]
    [InlineData("untyped", "untyped")]
    [InlineData("unknown", "untyped")]
    [InlineData("info", "info")]
    [InlineData("stateset", "stateset")]
    [InlineData("gaugehistogram", "gaugehistogram")]
    [InlineData("gauge ", "gauge")]
    public void Every_type_of_both_formats_is_known(string declared, string type)
    {
        var family = ExpositionParser.Parse($"# TYPE m {declared}\nm 1\n").Single();

        Assert.Equal(type, family.Type);
    }

    [Fact]
    public void Help_is_unescaped_and_may_come_before_or_after_type()
    {
        var families = ExpositionParser.Parse("# HELP m line one\\nline two \\\\ and \\q\n# TYPE m gauge\nm 1\n# TYPE n counter\n# HELP n\nn_total 2\n");

        var m = families.Single(f => f.Name == "m");
        Assert.Equal("line one\nline two \\ and q", m.Help);
        Assert.Equal("gauge", m.Type);
        var n = families.Single(f => f.Name == "n");
        Assert.Equal(string.Empty, n.Help);
        Assert.Equal("counter", n.Type);
        Assert.Equal("n_total", Assert.Single(n.Samples).Name);
    }

    [Fact]
    public void Samples_join_their_family_by_suffix_only_when_the_family_was_declared()
    {
        var families = ExpositionParser.Parse("""
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_sum 2
            h_count 1
            # TYPE s summary
            s{quantile="0.5"} 1
            s_sum 1
            s_count 1
            # TYPE g gaugehistogram
            g_gcount 1
            g_gsum 2
            # TYPE i info
            i_info{v="1"} 1
            loose_total 3
            loose_sum 4

            """);

        Assert.Equal(["h", "s", "g", "i", "loose_total", "loose_sum"], families.Select(f => f.Name));
        Assert.Equal(["h_bucket", "h_sum", "h_count"], families[0].Samples.Select(x => x.Name));
        Assert.Equal(3, families[1].Samples.Count);
        Assert.Equal(2, families[2].Samples.Count);
        Assert.Single(families[3].Samples);
        Assert.Equal("untyped", families[4].Type);
        Assert.Null(families[4].Help);
    }

    [Fact]
    public void Comments_blank_lines_and_carriage_returns_are_skipped_and_eof_ends_the_text()
    {
        var families = ExpositionParser.Parse("# just a comment\r\n\r\n   \r\n\tx 1\r\n# TYPE\n# EOF\ny{{{ 2\n".Replace("\tx", "x", StringComparison.Ordinal));

        Assert.Equal("x", Assert.Single(families).Name);
        Assert.Equal(1, families[0].Samples[0].Value);
    }

    [Fact]
    public void The_limits_are_exact()
    {
        var atLimit = string.Join("\n", Enumerable.Range(0, ExpositionParser.MaxSamples).Select(i => $"m{{i=\"{i}\"}} 1"));
        Assert.Equal(ExpositionParser.MaxSamples, ExpositionParser.Parse(atLimit).Single().Samples.Count);
        var e = Assert.Throws<FormatException>(() => ExpositionParser.Parse(atLimit + "\nm{i=\"x\"} 1"));
        Assert.Equal($"more than {ExpositionParser.MaxSamples} samples", e.Message);

        var longest = "x{a=\"" + new string('a', ExpositionParser.MaxLineLength - 9) + "\"} 1";
        Assert.Equal(ExpositionParser.MaxLineLength, longest.Length);
        Assert.Single(ExpositionParser.Parse(longest));
        var tooLong = Assert.Throws<FormatException>(() => ExpositionParser.Parse("ok 1\n" + longest.Insert(5, "a")));
        Assert.Equal($"line 2: longer than {ExpositionParser.MaxLineLength} characters", tooLong.Message);
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("a:b_c9", true)]
    [InlineData(":a", true)]
    [InlineData("", false)]
    [InlineData("9a", false)]
    [InlineData("a-b", false)]
    [InlineData("a b", false)]
    public void Metric_names_follow_the_formats_grammar(string name, bool valid)
    {
        Assert.Equal(valid, ExpositionParser.IsMetricName(name));
    }
}
