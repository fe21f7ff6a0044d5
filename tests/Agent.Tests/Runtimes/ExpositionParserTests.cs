using Agent.Runtimes;

namespace Agent.Tests.Runtimes;

public class ExpositionParserTests
{
    // What Debian's python3-prometheus-client serves (text format 0.0.4), abridged.
    private const string PythonClient = """
        # HELP python_gc_objects_collected_total Objects collected during gc
        # TYPE python_gc_objects_collected_total counter
        python_gc_objects_collected_total{generation="0"} 325.0
        python_gc_objects_collected_total{generation="1"} 17.0
        python_gc_objects_collected_total{generation="2"} 0.0
        # HELP python_info Python platform information
        # TYPE python_info gauge
        python_info{implementation="CPython",major="3",minor="11",patchlevel="2",version="3.11.2"} 1.0
        # HELP process_open_fds Number of open file descriptors.
        # TYPE process_open_fds gauge
        process_open_fds 7.0
        """;

    [Fact]
    public void Reads_prometheus_client_output()
    {
        var families = ExpositionParser.Parse(PythonClient);

        var collected = families.Single(f => f.Name == "python_gc_objects_collected_total");
        Assert.Equal("counter", collected.Type);
        Assert.Equal("Objects collected during gc", collected.Help);
        Assert.Equal([325.0, 17.0, 0.0], collected.Samples.Select(s => s.Value));
        Assert.Equal("1", collected.Samples[1].Labels.Single(l => l.Key == "generation").Value);
        var info = families.Single(f => f.Name == "python_info").Samples.Single();
        Assert.Equal("CPython", info.Labels.Single(l => l.Key == "implementation").Value);
    }

    [Fact]
    public void Escapes_timestamps_special_values_and_openmetrics_eof()
    {
        var text = "# TYPE a gauge\na{path=\"C:\\\\dir\",q=\"say \\\"hi\\\"\",nl=\"x\\ny\",} +Inf 1700000000000\n"
            + "# TYPE b counter\nb_total 3\nb_created 1.7e9\n# EOF\nignored after eof {{{\n";

        var families = ExpositionParser.Parse(text);

        var a = families.Single(f => f.Name == "a").Samples.Single();
        Assert.Equal(double.PositiveInfinity, a.Value);
        Assert.Equal("C:\\dir", a.Labels.Single(l => l.Key == "path").Value);
        Assert.Equal("say \"hi\"", a.Labels.Single(l => l.Key == "q").Value);
        Assert.Equal("x\ny", a.Labels.Single(l => l.Key == "nl").Value);
        var b = families.Single(f => f.Name == "b");
        Assert.Equal(["b_total", "b_created"], b.Samples.Select(s => s.Name));
    }

    [Theory]
    [InlineData("x{a=\"1} 3")]
    [InlineData("x{a=1} 3")]
    [InlineData("x 3 4 5 6")]
    [InlineData("x not-a-number")]
    [InlineData("x{a=\"1\",a=\"2\"} 1")]
    [InlineData("x{a=\"\\q\"} 1")]
    [InlineData("9x 1")]
    [InlineData("# TYPE x flavour")]
    [InlineData("x{a=\"1\" b=\"2\"} 1")]
    public void Malformed_lines_reject_the_exposition_with_a_format_error(string text)
    {
        var e = Assert.Throws<FormatException>(() => ExpositionParser.Parse(text));

        Assert.StartsWith("line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_samples_or_too_long_a_line_is_refused()
    {
        var many = string.Join("\n", Enumerable.Range(0, ExpositionParser.MaxSamples + 1).Select(i => $"m{{i=\"{i}\"}} 1"));

        Assert.Throws<FormatException>(() => ExpositionParser.Parse(many));
        Assert.Throws<FormatException>(() => ExpositionParser.Parse("x{a=\"" + new string('a', ExpositionParser.MaxLineLength) + "\"} 1"));
    }

    [Fact]
    public void Random_garbage_never_throws_anything_but_format_errors()
    {
        var random = new Random(1234);
        var alphabet = "ab_{}=\",\\# \n0123456789.eE+-InfNaTYPEHELPcounter\t";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 80)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                _ = ExpositionParser.Parse(new string(chars));
            }
            catch (FormatException)
            {
            }
        }
    }
}
