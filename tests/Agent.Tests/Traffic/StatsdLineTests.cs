using System.Text;
using Agent.Traffic;

namespace Agent.Tests.Traffic;

/// <summary>The StatsD line protocol: what gunicorn and common clients send parses; anything else is refused whole.</summary>
public class StatsdLineTests
{
    [Theory]
    [InlineData("gunicorn.requests:1|c|@1.0", "gunicorn.requests", 1, "Counter", 1)]
    [InlineData("gunicorn.request.duration:12.345|ms", "gunicorn.request.duration", 12.345, "Timer", 1)]
    [InlineData("gunicorn.workers:4|g", "gunicorn.workers", 4, "Gauge", 1)]
    [InlineData("app.gunicorn.request.status.200:1|c|@0.5|#env:prod,pod:a", "app.gunicorn.request.status.200", 1, "Counter", 0.5)]
    [InlineData("x:-3|g", "x", -3, "Gauge", 1)]
    [InlineData("h:1e3|h", "h", 1000, "Histogram", 1)]
    public void Well_formed_lines_parse(string text, string name, double value, string type, double rate)
    {
        Assert.True(StatsdLine.TryParse(Encoding.ASCII.GetBytes(text), out var line));
        Assert.Equal(name, Encoding.ASCII.GetString(line.Name));
        Assert.Equal((value, Enum.Parse<StatsdType>(type), rate), (line.Value, line.Type, line.Rate));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no colon")]
    [InlineData(":1|c")]
    [InlineData("a:|c")]
    [InlineData("a:1")]
    [InlineData("a:1|")]
    [InlineData("a:1|x")]
    [InlineData("a:NaN|g")]
    [InlineData("a:Infinity|g")]
    [InlineData("a:1,5|c")]
    [InlineData("a:1|c|@0")]
    [InlineData("a:1|c|@2")]
    [InlineData("a:1|c|@abc")]
    [InlineData("a:1|c|junk")]
    [InlineData("a b:1|c")]
    [InlineData("a|b:1|c")]
    [InlineData("\u00e9t\u00e9:1|c")]
    public void Anything_else_is_refused(string text) => Assert.False(StatsdLine.TryParse(Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void Random_bytes_never_throw()
    {
        var rng = new Random(32);
        var buffer = new byte[300];
        for (var i = 0; i < 20_000; i++)
        {
            rng.NextBytes(buffer);
            var length = rng.Next(buffer.Length);
            if (i % 3 == 0)
            {
                // Mostly-valid shapes with bytes flipped: the parser's branches, not only its first check.
                var valid = "gunicorn.request.status.200:1|c|@1.0|#a:b"u8;
                valid.CopyTo(buffer);
                buffer[rng.Next(valid.Length)] = (byte)rng.Next(256);
                length = valid.Length;
            }

            _ = StatsdLine.TryParse(buffer.AsSpan(0, length), out _);
        }
    }
}
